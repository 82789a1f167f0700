"""Real voice, faults: an agent's browser goes away while their phone rings a queue call.

The caller is given to the next ready agent, whose page rings and answers, and the agent
whose phone dropped is paused with the reason 话机断开 (phone_lost), not left ready to be
offered the next caller and not paused as if they had missed calls."""

from __future__ import annotations

import time

from e2e_harness import OFFER_TIMEOUT_S, wait_for
from voice_helpers import (EXT, OTHER_EXT, SPEAKING, VOICE_MARKS, agent_id, browsers,  # noqa: F401
                           phone_call, ringing, sign_in_and_register, web, web_app)

pytestmark = VOICE_MARKS
PHONE_LOST = "phone_lost"  # config/pause_reasons.toml


def _rung_first(first, second):
    wait_for(lambda: ringing(first) or ringing(second), 60, "no page rang")
    return (first, second) if ringing(first) else (second, first)


def _close(page) -> None:
    """The agent closes the browser window: the page's pagehide handler runs."""
    page.context.close()


def _phone_drops_while_ringing(hotline, web, browsers, drop, caller: str) -> float:
    """Two agents ready, a call rings one page, ``drop`` takes that page away: the other page
    rings and answers, the first agent is paused as 话机断开, and the call is one answered row
    of the second agent. Returns the seconds between the drop and the second page ringing."""
    pages = {EXT: browsers(), OTHER_EXT: browsers()}
    for ext, page in pages.items():
        sign_in_and_register(page, web, ext)
    answered = hotline.answered(hotline.call(SPEAKING, caller=caller))
    call_id = answered["Uniqueid"]
    gone, other = _rung_first(pages[EXT], pages[OTHER_EXT])
    gone_ext, other_ext = (EXT, OTHER_EXT) if gone is pages[EXT] else (OTHER_EXT, EXT)

    drop(gone)
    dropped_at = time.monotonic()
    wait_for(lambda: ringing(other), 30, "the next agent's page did not ring")
    waited = time.monotonic() - dropped_at

    other.keyboard.press("F4")
    wait_for(lambda: phone_call(other) == "talking", 10, "the next agent did not answer")
    accepted = wait_for(lambda: hotline.queue_events("accepted", call_id=call_id), 15,
                        "not accepted")
    assert [e["agent_id"] for e in accepted] == [agent_id(other_ext)]
    first = wait_for(lambda: (st := hotline.queue.agent(agent_id(gone_ext)))
                     and st.state == "paused" and st.reason == PHONE_LOST and st, 20,
                     "the first agent was not paused as 话机断开")
    assert not first.call_id
    hotline.ami.hangup(answered["Channel"])
    row = hotline.wait_row(call_id)
    assert row.outcome == "answered" and row.agent == agent_id(other_ext)
    assert [r.call_id for r in hotline.rows()].count(call_id) == 1
    # generous: the whole ring time (OFFER_TIMEOUT_S) would be the old behaviour's wait
    assert waited < OFFER_TIMEOUT_S - 1, f"the caller waited {waited:.1f} s for the next agent"
    return waited


def test_a_browser_closed_while_ringing_gives_the_call_to_the_next_agent_and_pauses_the_first(
        hotline, web, browsers):
    waited = _phone_drops_while_ringing(hotline, web, browsers, _close, "13985010821")
    print(f"closed: the next agent's page rang {waited:.2f} s after the browser closed")

