"""Which roles see citizens' numbers in full; everyone else sees 139****2345."""

from __future__ import annotations

from crm.enums import Role
from crm.numbers import mask

# Agents and supervisors work from the masked number (the call is already connected);
# department handlers must call the citizen back about their own, non-confidential cases;
# admins answer data-subject requests.
FULL_NUMBER_ROLES = frozenset({Role.DEPARTMENT, Role.ADMIN})


def show_number(e164: str | None, role: str, *, confidential: bool = False) -> str:
    """The number as ``role`` may see it; confidential cases are masked for everyone."""
    if e164 and role in FULL_NUMBER_ROLES and not confidential:
        return e164
    return mask(e164)
