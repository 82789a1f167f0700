"""The wallboard's figures, supervisor controls and Prometheus metrics on the real queue."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from callqueue.models import WaitingEntry
from callqueue.stats import day_of
from web.live import served_pairs
from web_helpers import login


def test_snapshot_has_every_configured_pair_and_counts_waiting(client, queue, web_ctx):
    h = login(client, "super1")
    board = client.get("/api/wallboard/snapshot", headers=h).json()
    assert {(r["line"], r["site"]) for r in board["rows"]} == set(served_pairs(web_ctx.operator))
    assert board["totals"]["waiting"] == 0
    queue.enqueue(WaitingEntry("w-1", "market", "zunyi", caller="+8613985012345"))
    web_ctx_board = client.app.state.web.board
    web_ctx_board.max_age = 0
    board = client.get("/api/wallboard/snapshot", headers=h).json()
    row = next(r for r in board["rows"] if (r["line"], r["site"]) == ("market", "zunyi"))
    assert row["waiting"] == 1 and board["totals"]["waiting"] == 1 and row["joined"] == 1
    assert board["totals"]["joined"] == 1 and board["totals"]["agents"]["ready"] == 0
    # today's counted figures are the CRM's: the call counts once it has ended
    assert row["offered"] == 0 and board["totals"]["offered"] == 0


def test_metrics_present_from_start_for_every_line_and_site(app, web_ctx):
    with TestClient(app, client=("127.0.0.1", 40001)) as local:
        text = local.get("/metrics").text
    for line, site in served_pairs(web_ctx.operator):
        assert f'hotline_queue_waiting{{line="{line}",site="{site}"}} 0.0' in text
        assert f'hotline_queue_longest_wait_seconds{{line="{line}",site="{site}"}}' in text
        assert f'hotline_calls_offered_total{{line="{line}",site="{site}"}}' in text
    for site in web_ctx.operator.sites:
        assert f'hotline_agents{{site="{site}",state="ready"}} 0.0' in text


def test_supervisor_forces_pause_and_logout(client, queue):
    a = login(client, "agent1")
    client.post("/api/agent/login", json={}, headers=a)
    client.post("/api/agent/ready", json={}, headers=a)
    s = login(client, "super1")
    client.app.state.web.board.max_age = 0
    agents = client.get("/api/agents", headers=s).json()["agents"]
    assert [(x["agent_id"], x["state"]) for x in agents] == [("agent1", "ready")]
    r = client.post("/api/agents/agent1/pause", json={"reason": "meeting"}, headers=s)
    assert r.status_code == 200 and queue.agent("agent1").state == "paused"
    assert client.post("/api/agents/agent1/logout", json={}, headers=s).status_code == 200
    assert queue.agent("agent1") is None or queue.agent("agent1").state == "logged_out"
    assert client.post("/api/agents/agent1/pause", json={"reason": "meeting"},
                       headers=s).status_code == 404


def test_staffing_alert_when_available_agents_fall_below_erlang_c(client, web_ctx):
    state = client.app.state.web
    now = time.time()
    day = day_of(now)
    for i, offered in enumerate((0, 250)):  # 250 calls in 870 s: about 1,030 an hour
        web_ctx.redis.lpush("hotline:web:queue_samples",
                            f'{{"t": {now - 880 + i * 870}, "waiting": 0, "day": "{day}", '
                            f'"offered": {{"general": {offered}}}}}')
    state.board.max_age = 0
    board = client.get("/api/wallboard/snapshot", headers=login(client, "super1")).json()
    general = next(r for r in board["staffing"] if r["line"] == "general")
    assert general["agents_needed"] > 80 and general["agents_available"] == 0
    assert general["alert"] and "人力不足" in board["alerts"][0]["message"]


def test_listening_in_without_asterisk_answers_503_and_changes_nothing(client, queue, web_ctx):
    import socket
    from types import SimpleNamespace

    from web.ami_bridge import AmiTelephony

    with socket.socket() as s:  # a port where no AMI listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = web_ctx.settings.model_copy(update={"ami_host": "127.0.0.1", "ami_port": port})
    client.app.state.web.telephony = AmiTelephony(
        SimpleNamespace(settings=settings, operator=web_ctx.operator))
    a = login(client, "agent1")
    client.post("/api/agent/login", json={}, headers=a)
    client.post("/api/agent/ready", json={}, headers=a)
    queue.enqueue(WaitingEntry("spy-1", "general", "guiyang", caller="+8613985012345"))
    assert client.post("/api/agent/accept", json={"call_id": "spy-1"}, headers=a).status_code == 200
    s = login(client, "super1")
    r = client.post("/api/agents/agent1/spy", json={"mode": "whisper", "extension": "9001"},
                    headers=s)
    assert r.status_code == 503 and r.json()["error"] == "telephony_unavailable"
    assert "ami_connect_failed" in r.json()["message"]
    assert queue.agent("agent1").state == "on_call"
