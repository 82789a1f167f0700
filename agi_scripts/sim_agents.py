"""Simulated seat agents: logged in through CallQueue, rung by the fake dialplan's Dial()."""

from __future__ import annotations

import random
import threading
import time

from agi_scripts import channel_vars as cv
from agi_scripts.fake_asterisk import SimChannel

ANSWER_SHARE = 0.9          # rings that the agent picks up
RING_SECONDS = (0.1, 0.6)
TALK_SECONDS = (0.5, 2.5)
NO_ANSWER_SECONDS = 0.8     # a missed ring, shortened from the real dial timeout
WRAP_SECONDS = 0.3
BACK_FROM_PAUSE_SECONDS = 1.0
DIAL_PREFIX = "SIM/"


class SimAgents:
    def __init__(self, address, queue, operator, count: int, rng: random.Random):
        self.address, self.queue, self.operator, self.rng = address, queue, operator, rng
        self.ids = [f"sim{i:03d}" for i in range(count)]
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._manage, name="sim-agents", daemon=True)
        self.callbacks = 0
        self.home_site = operator.province.id   # the callers' city; set by the simulation

    def start(self) -> None:
        from callqueue.models import AgentInfo

        skills = {line: 1 for line in self.operator.lines}
        for i, agent_id in enumerate(self.ids):
            site = self.operator.province.id if i % 5 == 4 else self.home_site
            self.queue.login(AgentInfo(agent_id, site, skills, DIAL_PREFIX + agent_id))
            self.queue.set_ready(agent_id)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        for agent_id in self.ids:
            try:
                self.queue.logout(agent_id)
            except Exception:
                pass

    def _manage(self) -> None:
        """Agents end wrap-up and come back from automatic pauses on their own."""
        while not self.stopped.wait(0.2):
            now = time.time()
            for agent_id in self.ids:
                st = self.queue.agent(agent_id)
                if st is None:
                    continue
                if (st.state == "wrap_up" and now - st.since > WRAP_SECONDS) or \
                        (st.state == "paused" and now - st.since > BACK_FROM_PAUSE_SECONDS):
                    try:
                        self.queue.set_ready(agent_id)
                    except Exception:
                        pass

    def _rand(self, bounds) -> float:
        with self.lock:
            return self.rng.uniform(*bounds)

    def dial(self, ch: SimChannel, citizen) -> None:
        """Dial(${HOTLINE_DIAL},${HOTLINE_DIAL_TIMEOUT},gU(...)): sets DIALSTATUS, ANSWEREDTIME."""
        agent_id = ch.vars.get(cv.AGENT, "")
        with self.lock:
            answers = self.rng.random() < ANSWER_SHARE
        if not ch.vars.get(cv.DIAL, "").startswith(DIAL_PREFIX) or not answers:
            time.sleep(NO_ANSWER_SECONDS)
            ch.vars[cv.DIALSTATUS] = "NOANSWER"
            return
        time.sleep(self._rand(RING_SECONDS))
        leg = SimChannel(self.address, ch.uniqueid + "-agent", "8000", agent_id,
                         context="hotline-agent-answered")
        leg.vars.update({cv.CALL_ID: ch.vars.get(cv.CALL_ID, ""), cv.AGENT: agent_id})
        if leg.agi("answered") != "SUCCESS" or leg.vars.get(cv.ACCEPTED) != "1":
            ch.vars[cv.DIALSTATUS] = "NOANSWER"   # the offer had expired: the U gosub aborted
            return
        talk = self._rand(TALK_SECONDS)
        time.sleep(talk)
        ch.vars[cv.DIALSTATUS] = "ANSWER"
        ch.vars[cv.ANSWEREDTIME] = f"{talk:.0f}"
        if citizen.plan.hang_up_talking:
            ch.dead = True   # the citizen hung up first: the dialplan goes to h


class SimDialer:
    """Stands in for AMI: the agent answers, then the citizen; reports the result."""

    def __init__(self, queue, agents: SimAgents | None = None):
        self.queue, self.agents = queue, agents

    def place_callback(self, agent_dial: str, citizen_number: str, variables: dict) -> None:
        threading.Thread(target=self._call, args=(variables,), daemon=True).start()

    def _call(self, variables: dict) -> None:
        call_id, agent_id = variables.get(cv.CALLBACK_FOR, ""), variables.get(cv.AGENT, "")
        time.sleep(0.2)
        accepted = self.queue.accept(agent_id, call_id)
        self.queue.callback_result(call_id, True)
        if self.agents:
            self.agents.callbacks += 1
        time.sleep(0.5)
        if accepted:
            self.queue.hangup(agent_id, call_id)
