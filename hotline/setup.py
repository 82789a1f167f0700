"""Database preparation and account creation, shared by the CLI and `hotline up`."""

from __future__ import annotations

from crm.enums import Role
from crm.errors import InvalidInput
from crm.migrate import upgrade
from crm.reference import sync_reference
from crm.users import add_user, set_agent_profile

SKILL_LEVELS = frozenset("123456789")  # 1 = best; not str.isdigit(): that accepts ٣ and ²


def prepare_database(ctx, revision: str = "head") -> None:
    """Migrate to ``revision`` and copy configured sites and departments into the database."""
    upgrade(ctx.settings.effective_database_url, revision)
    if revision == "head":
        with ctx.sessions.begin() as session:
            sync_reference(session, ctx.operator)


def parse_skills(text: str, lines) -> dict[str, int]:
    """`general:1,market:2` -> {"general": 1, "market": 2}, checked against configured lines."""
    skills: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        line, _, level = part.partition(":")
        if line not in lines:
            raise InvalidInput(f"unknown line {line!r} in skills")
        if level not in SKILL_LEVELS:
            raise InvalidInput(f"skill level for {line!r} must be 1-9")
        skills[line] = int(level)
    return skills


def create_user(ctx, username, role, password, *, name="", department=None, site=None,
                extension=None, skills="general:1"):
    """Create a user (and an agent profile for agents with an extension) in one transaction."""
    role = Role(role) if role in set(Role) else None
    if role is None:
        raise InvalidInput("role must be one of: " + ", ".join(Role))
    if department and department not in ctx.operator.departments:
        raise InvalidInput(f"unknown department {department!r}")
    if site and site not in ctx.operator.sites:
        raise InvalidInput(f"unknown site {site!r}")
    with ctx.sessions.begin() as session:
        user = add_user(session, username, password, role, display_name=name,
                        department_id=department, site_id=site)
        if role == Role.AGENT and extension:
            set_agent_profile(session, user, extension, site or ctx.operator.province.id,
                              parse_skills(skills, ctx.operator.lines))
    return user
