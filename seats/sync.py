"""Keep Asterisk's seats in step with the agent profiles: render, write if changed, reload."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from crm.models import AgentProfile, User
from seats.render import Seat, render_seats
from seats.store import SeatSecrets

log = logging.getLogger("hotline.seats")


def active_extensions(session) -> list[str]:
    """Extensions of active agents' profiles, in order."""
    rows = session.scalars(select(AgentProfile.extension).join(User, User.id == AgentProfile.user_id)
                           .where(User.active.is_(True)).order_by(AgentProfile.extension))
    return list(rows)


class SeatSync:
    """Renders the seats file; ``apply`` writes it to ``path`` and calls ``reload`` on change."""

    def __init__(self, sessions, redis, path: Path | None = None,
                 reload: Callable[[], None] | None = None):
        self.sessions, self.secrets = sessions, SeatSecrets(redis)
        self.path, self.reload = path, reload

    def text(self) -> str:
        with self.sessions() as session:
            extensions = active_extensions(session)
        passwords = self.secrets.passwords(extensions)
        return render_seats([Seat(ext, passwords[ext]) for ext in extensions])

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
