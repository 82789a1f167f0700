"""The test phone (测试话机): trainers (admins, supervisors) call the hotline from the browser
as a citizen would, to hear the voice menu and have a newcomer answer at /agent.

Each trainer has a SIP identity of their own, ``testphone-<user id>`` (seats/render.py),
whose calls land in [hotline-inbound] from a fixed test number. Its password is handed
out only here, to that signed-in user, with ``Cache-Control: no-store``; never logged.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from seats.render import REALM, TESTPHONE_NUMBER, testphone_username
from seats.store import SeatSecrets
from web.deps import StateDep, UserDep
from web.pages import render
from web.routes.seat import apply_seats

HOTLINE_NUMBER = "12345"
router = APIRouter(tags=["testphone"])


def dialable_numbers(operator) -> list[dict]:
    """12345 first, then the merged legacy hotlines (they skip the menu, onto their line)."""
    legacy = sorted(operator.legacy_numbers.values(), key=lambda n: n.number)
    return [{"number": HOTLINE_NUMBER, "name": "政务服务便民热线"},
            *({"number": n.number, "name": n.name} for n in legacy)]


@router.get("/testphone", include_in_schema=False)
def testphone_page(request: Request, user: UserDep, state: StateDep):
    return render(request, "testphone.html", user=user, caller_number=TESTPHONE_NUMBER,
                  numbers=dialable_numbers(state.operator),
                  page_config={"default_number": HOTLINE_NUMBER})


@router.get("/api/testphone/seat",
            summary="The test phone's SIP credentials (the signed-in trainer's own)")
def testphone_seat(request: Request, response: Response, user: UserDep, state: StateDep) -> dict:
    username = testphone_username(user.user_id)
    password, created = SeatSecrets(state.ctx.redis).password_of(username)
    if created:  # a test phone used for the first time reaches Asterisk before it calls
        apply_seats(request)
    s = state.ctx.settings
    response.headers["Cache-Control"] = "no-store"
    return {"username": username, "password": password, "realm": REALM,
            "ws_url": s.sip_ws_url, "uri": f"sip:{username}@{s.sip_domain}",
            "domain": s.sip_domain, "caller_number": TESTPHONE_NUMBER}
