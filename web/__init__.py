"""The FastAPI service: agent workstation, supervisor wallboard, department pages and JSON API."""
