"""FastAGI test fixtures: the whole voice system embedded on the real Redis and a SQLite CRM."""

from __future__ import annotations

import pytest

from hotline.voice_sim import embedded_system


@pytest.fixture
def system(operator_config, redis_server, redis_client, tmp_path):
    from crm.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'agi.sqlite3'}"
    upgrade(url)
    with embedded_system(operator_config, redis_url=redis_server.url, database_url=url) as sys_:
        yield sys_
