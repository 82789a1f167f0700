"""`hotline up --demo`'s accounts: a newcomer can sign in with what it prints."""

from __future__ import annotations

import pytest

from crm.errors import AuthFailed
from crm.users import authenticate
from hotline.context import AppContext
from hotline.demo_accounts import DEMO_ACCOUNTS, ensure_demo_accounts
from hotline.setup import prepare_database


def _ctx(tmp_path, env="dev"):
    return AppContext.from_env(var_dir=str(tmp_path), env=env, secret_key="demo-test-secret-1",
                               ami_secret="demo-test-ami-secret-1",
                               database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}")


def test_demo_accounts_log_in_with_the_printed_passwords_and_get_new_ones_each_start(tmp_path):
    ctx = _ctx(tmp_path)
    prepare_database(ctx)
    first = ensure_demo_accounts(ctx)
    assert set(first) == set(DEMO_ACCOUNTS)
    with ctx.sessions() as db:
        agent = authenticate(db, "demo.agent1", first["demo.agent1"])
        assert agent.role == "agent"
    again = ensure_demo_accounts(ctx)
    assert again["demo.admin"] != first["demo.admin"]
    with ctx.sessions() as db:
        with pytest.raises(AuthFailed):
            authenticate(db, "demo.admin", first["demo.admin"])
        assert authenticate(db, "demo.admin", again["demo.admin"]).role == "admin"
    ctx.engine.dispose()


def test_no_demo_accounts_in_production(tmp_path):
    ctx = _ctx(tmp_path, env="production")
    with pytest.raises(RuntimeError, match="production"):
        ensure_demo_accounts(ctx)
