"""Alembic migrations of the CRM schema."""
