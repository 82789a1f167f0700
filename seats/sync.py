"""Keep Asterisk's seats in step with the agent profiles: render, write if changed, reload."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from crm.enums import Role
from crm.models import AgentProfile, User
from seats.render import Seat, TestPhone, render_seats, testphone_username
from seats.store import SeatSecrets

log = logging.getLogger("hotline.seats")


def active_extensions(session) -> list[str]:
    """Extensions of active agents' profiles, in order."""
    rows = session.scalars(select(AgentProfile.extension).join(User, User.id == AgentProfile.user_id)
                           .where(User.active.is_(True)).order_by(AgentProfile.extension))
    return list(rows)


TESTPHONE_ROLES = (Role.ADMIN, Role.SUPERVISOR)  # trainers: the /testphone page


def testphone_users(session) -> list[tuple[int, str]]:
    """(user id, display name) of the active admins and supervisors, in id order."""
    rows = session.execute(select(User.id, User.display_name)
                           .where(User.active.is_(True), User.role.in_(TESTPHONE_ROLES))
                           .order_by(User.id))
    return [(uid, name) for uid, name in rows]


class SeatSync:
    """Renders the seats file; ``apply`` writes it to ``path`` and calls ``reload`` on change."""

    def __init__(self, sessions, redis, path: Path | None = None,
                 reload: Callable[[], None] | None = None):
        self.sessions, self.secrets = sessions, SeatSecrets(redis)
        self.path, self.reload = path, reload

    def text(self) -> str:
        with self.sessions() as session:
            extensions = active_extensions(session)
            trainers = testphone_users(session)
        names = [testphone_username(uid) for uid, _ in trainers]
        passwords = self.secrets.passwords([*extensions, *names])
        phones = [TestPhone(uid, passwords[testphone_username(uid)], caller_name=display)
                  for uid, display in trainers]
        return render_seats([Seat(ext, passwords[ext]) for ext in extensions], phones)

    def apply(self) -> bool:
        """Write and reload when the rendered seats changed; True when they did."""
        if self.path is None:
            return False
        text = self.text()
        if self.path.exists() and self.path.read_text() == text:
            return False
        self.path.write_text(text)
        log.info("seats file rewritten: %s", self.path)
        if self.reload is not None:
            self.reload()
        return True
