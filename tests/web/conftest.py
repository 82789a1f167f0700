"""Web fixtures: an AppContext on the real Redis and a migrated SQLite, staff of every role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from callqueue.api import CallQueue
from hotline.context import AppContext
from hotline.setup import create_user, prepare_database
from web_helpers import PASSWORD, STAFF, USER_OF_ROLE, RecordingTelephony, login

@pytest.fixture
def web_ctx(tmp_path, redis_client, redis_server):
    ctx = AppContext.from_env(redis_url=redis_server.url, var_dir=str(tmp_path),
                              database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}",
                              secret_key="test-secret-key-123", env="test")
    prepare_database(ctx)
    for name, (role, extra) in STAFF.items():
        create_user(ctx, name, str(role), PASSWORD, name=f"{name}名", **extra)
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def telephony():
    return RecordingTelephony()


@pytest.fixture
def app(web_ctx, telephony):
    from web.app import create_app

    return create_app(web_ctx, telephony=telephony, background=False)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def queue(web_ctx):
    return CallQueue(web_ctx.redis, web_ctx.operator)


@pytest.fixture
def as_role(client):
    """role -> bearer headers of that role's user (logged in on demand)."""
    cache = {}

    def get(role):
        if role not in cache:
            cache[role] = login(client, USER_OF_ROLE[role])
        return cache[role]
    return get
