"""References between operator files: every id one file names must exist in another."""

from __future__ import annotations

from config.operator import OperatorConfig

KEYS_ALLOWED = set("0123456789*#")


def crosscheck(cfg: OperatorConfig, problems: list) -> None:
    for check in (_sites, _lines, _legacy, _menu, _departments, _categories):
        check(cfg, problems)


def _where(cfg: OperatorConfig, name: str) -> str:
    return str(cfg.directory / name)


def _sites(cfg, problems):
    provinces = [s for s in cfg.sites.values() if s.kind == "province"]
    if len(provinces) != 1:
        problems.append((_where(cfg, "sites.toml"), "sites", "exactly one site of kind 'province' is needed"))
    for i, site in enumerate(cfg.sites.values()):
        if site.parent is not None and site.parent not in cfg.sites:
            problems.append((_where(cfg, "sites.toml"), f"sites[{i}].parent", f"unknown site {site.parent!r}"))
    _area_codes(cfg, problems)


def _area_codes(cfg, problems):
    """An area code belongs to one site: the site its callers' calls are routed to."""
    owner: dict[str, str] = {}
    for i, site in enumerate(cfg.sites.values()):
        for j, code in enumerate(site.area_codes):
            if code in owner:
                problems.append((_where(cfg, "sites.toml"), f"sites[{i}].area_codes[{j}]",
                                 f"area code {code!r} is already listed by site {owner[code]!r}"))
            owner.setdefault(code, site.id)


def _lines(cfg, problems):
    where = _where(cfg, "lines.toml")
    if cfg.queue.general_line not in cfg.lines:
        problems.append((where, "queue.general_line", f"unknown line {cfg.queue.general_line!r}"))
    for i, line in enumerate(cfg.lines.values()):
        for j, site in enumerate(line.sites):
            if site not in cfg.sites:
                problems.append((where, f"lines[{i}].sites[{j}]", f"unknown site {site!r}"))


def _legacy(cfg, problems):
    for i, num in enumerate(cfg.legacy_numbers.values()):
        if num.line not in cfg.lines:
            problems.append((_where(cfg, "legacy_numbers.toml"), f"numbers[{i}].line", f"unknown line {num.line!r}"))


def _menu(cfg, problems):
    where = _where(cfg, "menu.toml")
    menu = cfg.menu
    if menu.entry not in menu.menus:
        problems.append((where, "entry", f"unknown menu {menu.entry!r}"))
    if menu.silence_line not in cfg.lines:
        problems.append((where, "silence_line", f"unknown line {menu.silence_line!r}"))
    for name, item in menu.menus.items():
        _one_menu(cfg, where, name, item, problems)


def _one_menu(cfg, where, name, item, problems):
    for j, prompt in enumerate(item.prompts):
        if prompt not in cfg.prompts:
            problems.append((where, f"menus.{name}.prompts[{j}]", f"unknown prompt {prompt!r}"))
    zero = item.keys.get("0")
    if zero is None or zero.action != "queue":
        problems.append((where, f"menus.{name}.keys", "every menu must offer 0 for a person (action = 'queue')"))
    for key, target in item.keys.items():
        loc = f"menus.{name}.keys.{key}"
        if len(key) != 1 or key not in KEYS_ALLOWED:
            problems.append((where, loc, "a key is one of 0-9, * or #"))
        if target.action == "queue" and target.line not in cfg.lines:
            problems.append((where, f"{loc}.line", f"unknown line {target.line!r}"))
        if target.action == "menu" and target.menu not in cfg.menu.menus:
            problems.append((where, f"{loc}.menu", f"unknown menu {target.menu!r}"))


def _departments(cfg, problems):
    where = _where(cfg, "departments.toml")
    for i, dept in enumerate(cfg.departments.values()):
        if dept.site not in cfg.sites:
            problems.append((where, f"departments[{i}].site", f"unknown site {dept.site!r}"))
    for i, rule in enumerate(cfg.dispatch):
        if rule.category not in cfg.categories:
            problems.append((where, f"dispatch[{i}].category", f"unknown category {rule.category!r}"))
        if rule.site != "*" and rule.site not in cfg.sites:
            problems.append((where, f"dispatch[{i}].site", f"unknown site {rule.site!r}"))
        if rule.department not in cfg.departments:
            problems.append((where, f"dispatch[{i}].department", f"unknown department {rule.department!r}"))


def _categories(cfg, problems):
    for i, cat in enumerate(cfg.categories.values()):
        if cat.line not in cfg.lines:
            problems.append((_where(cfg, "categories.toml"), f"categories[{i}].line", f"unknown line {cat.line!r}"))
