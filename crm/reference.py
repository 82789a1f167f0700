"""Copy the operator's sites and departments from config into the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.models import Department, Site


def sync_reference(session: Session, cfg) -> None:
    """Insert or update every configured site and department; flushes.

    Rows no longer in config are kept: old cases still point at them.
    """
    for site in sorted(cfg.sites.values(), key=lambda s: s.parent is not None):
        row = session.get(Site, site.id) or Site(id=site.id)
        row.name, row.kind, row.parent_id = site.name, site.kind, site.parent
        session.add(row)
        session.flush()
    for dept in cfg.departments.values():
        row = session.get(Department, dept.id) or Department(id=dept.id)
        row.name, row.site_id = dept.name, dept.site
        session.add(row)
    session.flush()
