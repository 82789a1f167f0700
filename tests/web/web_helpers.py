"""Helpers shared by the web tests: staff accounts, a recording telephony, login."""

from __future__ import annotations

from crm.enums import Role

PASSWORD = "correct-horse-42"
STAFF = {  # username -> (role, extra)
    "agent1": (Role.AGENT, {"extension": "8001", "site": "guiyang", "skills": "general:1,market:2"}),
    "super1": (Role.SUPERVISOR, {}),
    "dept1": (Role.DEPARTMENT, {"department": "guiyang_market"}),
    "admin1": (Role.ADMIN, {}),
}
USER_OF_ROLE = {role: name for name, (role, _) in STAFF.items()}


class RecordingTelephony:
    """Stands in for AMI: records what the web asked for."""

    def __init__(self):
        self.calls = []

    def transfer(self, **kw):
        self.calls.append(("transfer", kw))

    def three_way(self, **kw):
        self.calls.append(("three_way", kw))

    def spy(self, **kw):
        self.calls.append(("spy", kw))

    def place_survey(self, case_number, citizen_number):
        self.calls.append(("place_survey", {"case_number": case_number,
                                            "citizen_number": citizen_number}))

    def status(self):
        from web.telephony import TelephonyStatus

        return TelephonyStatus(True)


def login(client, username: str, password: str = PASSWORD) -> dict:
    """Bearer headers for ``username``."""
    resp = client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['token']}"}
