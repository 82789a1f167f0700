"""The case CRM: callers, calls, work orders and their audit trail (SQLAlchemy + Alembic)."""
