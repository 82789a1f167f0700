"""The FastAGI server with simulated Asterisk channels, real Redis and SQLite."""

from __future__ import annotations

import socket

from sqlalchemy import func, select

from agi_scripts import channel_vars as cv
from agi_scripts.fake_asterisk import HANGUP, SimChannel
from agi_scripts.simulator import SimConfig, Simulation
from crm.models import Call, Case
from hotline.voice_sim import attach_watcher, summarize


class Scripted:
    """A citizen who presses given keys and hangs up at the n-th command that involves audio."""

    def __init__(self, menu_key="", hang_up_at=None, survey=""):
        self.menu_key, self.hang_up_at, self.survey = menu_key, hang_up_at, survey
        self.audio = 0

    def _tick(self):
        self.audio += 1
        return self.hang_up_at is not None and self.audio >= self.hang_up_at

    def on_prompt(self, name, escape):
        return HANGUP if self._tick() else ""

    def on_get_data(self, name, timeout_ms, max_digits):
        if self._tick():
            return HANGUP
        if name.endswith("shortcuts"):
            return self.menu_key, not self.menu_key
        if name.endswith("survey"):
            return self.survey, not self.survey
        return "", True

    def on_wait(self, timeout_ms):
        return HANGUP if self._tick() else ""


def ready_agent(queue, agent_id: str, line: str, dial: str) -> None:
    from callqueue.models import AgentInfo

    queue.login(AgentInfo(agent_id, "guiyang", {line: 1}, dial))
    queue.set_ready(agent_id)


def rows(sessions, call_id):
    with sessions() as s:
        return s.execute(select(Call).where(Call.call_id == call_id)).scalars().all()


def test_two_hundred_concurrent_calls_lose_none(system, operator_config):
    address, queue, sessions, operator, running = system
    sim = Simulation(address, queue, operator, SimConfig(calls=200, concurrency=200, agents=30,
                                                         duration=4.0, mean_patience=8.0, seed=7))
    attach_watcher(running, queue, sim.agents)
    tally = sim.run()
    summary = summarize(tally, sessions, operator)
    assert summary.lost == 0 and summary.connect_failures == 0 and summary.calls == 200
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Call)) == 200
        answered_without_case = s.scalar(select(func.count()).select_from(Call).where(
            Call.outcome == "answered", Call.case_id.is_(None)))
        rated = s.scalar(select(func.count()).select_from(Call).where(Call.rating.is_not(None)))
        cases = s.scalar(select(func.count()).select_from(Case))
    assert summary.answered > 50 and summary.abandoned > 0
    assert answered_without_case == 0 and cases > 0 and rated > 0
    assert sum(q.waiting for q in queue.snapshot().queues) == 0


def test_hanging_up_at_every_step_records_the_call_once_and_frees_the_queue(system):
    address, queue, sessions, operator, running = system
    for step in range(1, 7):
        ch = SimChannel(address, f"hup.{step}", "13985012345", "12345",
                        Scripted(menu_key="", hang_up_at=step))
        assert ch.agi("menu") == "SUCCESS"
        assert ch.vars[cv.DONE] == cv.DONE_VALUE and ch.vars[cv.NEXT] == cv.NEXT_HANGUP
        assert ch.vars[cv.RECORDED] == cv.RECORDED_VALUE
        (row,) = rows(sessions, f"hup.{step}")
        assert row.outcome == "abandoned"
        assert queue.position(f"hup.{step}") is None


def test_emergency_key_sets_the_110_target(system):
    address, queue, sessions, *_ = system
    ch = SimChannel(address, "emg.1", "13985012345", "12345", Scripted(menu_key="9"))
    ch.agi("menu")
    assert ch.vars[cv.NEXT] == cv.NEXT_EMERGENCY and ch.vars[cv.EMERGENCY_NUMBER] == "110"
    assert rows(sessions, "emg.1")[0].outcome == "emergency_transfer"


def test_an_unknown_script_and_a_broken_state_go_to_the_fallback(system):
    address, *_ = system
    ch = SimChannel(address, "fb.1", "13985012345", "12345", Scripted())
    assert ch.agi("nonsense") == "SUCCESS"
    assert ch.vars[cv.NEXT] == cv.NEXT_FALLBACK and ch.vars[cv.DONE] == cv.DONE_VALUE
    ch = SimChannel(address, "fb.2", "13985012345", "12345", Scripted())
    ch.vars[cv.STATE] = "v1|forged|state"
    ch.agi("after_dial")
    assert ch.vars[cv.NEXT] == cv.NEXT_FALLBACK


def test_malformed_traffic_closes_only_its_own_session(system):
    address, queue, sessions, *_ = system
    bad = socket.create_connection(address)
    bad.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert bad.recv(100) == b""        # closed at once, with a FIN
    bad.close()
    ch = SimChannel(address, "ok.1", "13985012345", "12345", Scripted(menu_key="9"))
    assert ch.agi("menu") == "SUCCESS" and ch.vars[cv.NEXT] == cv.NEXT_EMERGENCY


def test_an_answered_call_is_rated_in_the_survey(system):
    address, queue, sessions, operator, running = system
    ready_agent(queue, "a1", "general", "PJSIP/8001")
    ch = SimChannel(address, "ans.1", "13985012345", "12345", Scripted(menu_key="0", survey="2"))
    ch.agi("menu")
    assert ch.vars[cv.NEXT] == cv.NEXT_DIAL and ch.vars[cv.DIAL] == "PJSIP/8001"
    leg = SimChannel(address, "ans.1-agent", "8001", "8001")
    leg.vars.update({cv.CALL_ID: ch.vars[cv.CALL_ID], cv.AGENT: ch.vars[cv.AGENT]})
    leg.agi("answered")
    assert leg.vars[cv.ACCEPTED] == "1"
    ch.vars.update({cv.DIALSTATUS: "ANSWER", cv.ANSWEREDTIME: "42", cv.DONE: ""})
    ch.agi("after_dial")
    (row,) = rows(sessions, "ans.1")
    assert row.outcome == "answered" and row.rating == "basically_satisfied"
    assert row.agent == "a1" and row.case_id is not None
    assert queue.agent("a1").state == "wrap_up"


def test_a_caller_who_pressed_2_reaches_the_agent_with_the_menu_path(system):
    address, queue, sessions, operator, running = system
    ready_agent(queue, "en1", "dialect_en", "PJSIP/8002")
    ch = SimChannel(address, "path.2", "13985012345", "12345", Scripted(menu_key="2"))
    ch.agi("menu")
    assert ch.vars[cv.NEXT] == cv.NEXT_DIAL and ch.vars[cv.DIAL] == "PJSIP/8002"
    offer = queue.wait_offer("en1", timeout=1)
    assert offer.call_id == "path.2" and offer.line == "dialect_en"
    assert offer.menu_path.split(">") == ["in", "menu:main", "key:2", "queue:dialect_en"]
    (offered,) = [e for _id, e in queue.read_events(count=10_000)
                  if e["type"] == "offered" and e["call_id"] == "path.2"]
    assert offered["menu_path"] == offer.menu_path


def test_a_hang_up_in_the_menu_with_an_agent_free_is_recorded_and_not_dialled(system):
    """The HANGUP line comes after GET DATA's -1; the offer made at once is withdrawn."""
    address, queue, sessions, operator, running = system
    ready_agent(queue, "free1", "general", "PJSIP/8011")
    ch = SimChannel(address, "hupfree.1", "13985012345", "12345",
                    Scripted(menu_key="", hang_up_at=3))  # at the shortcuts GET DATA
    assert ch.agi("menu") == "SUCCESS"
    assert ch.vars[cv.NEXT] == cv.NEXT_HANGUP and ch.vars[cv.RECORDED] == cv.RECORDED_VALUE
    (row,) = rows(sessions, "hupfree.1")
    assert row.outcome == "abandoned"
    assert queue.agent("free1").state == "ready" and not queue.agent("free1").call_id
    assert queue.position("hupfree.1") is None


def test_after_dial_on_the_h_extension_settles_an_unanswered_call_once(system):
    address, queue, sessions, operator, running = system
    ready_agent(queue, "free2", "general", "PJSIP/8012")
    ch = SimChannel(address, "hdial.1", "13985012345", "12345", Scripted(menu_key="0"))
    ch.agi("menu")
    assert ch.vars[cv.NEXT] == cv.NEXT_DIAL and ch.vars[cv.AGENT] == "free2"
    ch.dead = True  # the caller hung up while the agent rang: Asterisk runs h
    ch.vars.update({cv.DIALSTATUS: "NOANSWER", cv.DONE: ""})
    assert ch.agi("after_dial", extension="h") == "SUCCESS"
    (row,) = rows(sessions, "hdial.1")
    assert row.outcome == "abandoned"
    assert queue.position("hdial.1") is None
    assert queue.agent("free2").state == "ready"  # freed, not left ringing for nobody
