"""Load every operator data file, validate it, and cross-check references between files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from config import models as m
from config.errors import ConfigError

FILES: dict[str, type[BaseModel]] = {
    "sites.toml": m.SitesFile,
    "lines.toml": m.LinesFile,
    "legacy_numbers.toml": m.LegacyNumbersFile,
    "menu.toml": m.MenuFile,
    "prompts.toml": m.PromptsFile,
    "departments.toml": m.DepartmentsFile,
    "categories.toml": m.CategoriesFile,
    "time_limits.toml": m.TimeLimitsFile,
    "pause_reasons.toml": m.PauseReasonsFile,
    "holidays.toml": m.HolidaysFile,
}


@dataclass(frozen=True)
class OperatorConfig:
    """All operator data, validated, with lookups by id."""

    directory: Path
    sites: dict[str, m.Site]
    lines: dict[str, m.Line]
    queue: m.QueuePolicy
    legacy_numbers: dict[str, m.LegacyNumber]
    menu: m.MenuFile
    prompts: dict[str, m.Prompt]
    departments: dict[str, m.Department]
    dispatch: list[m.DispatchRule]
    categories: dict[str, m.Category]
    time_limits: m.TimeLimitsFile
    request_types: dict[str, m.RequestType]
    pause_reasons: dict[str, m.PauseReason]
    files: dict[str, BaseModel] = field(repr=False, default_factory=dict)

    @property
    def province(self) -> m.Site:
        return next(s for s in self.sites.values() if s.kind == "province")

    def suggest_department(self, category: str, site: str) -> str | None:
        """The dispatch catalogue's department for category x site, site-specific first."""
        for wanted in (site, "*"):
            for rule in self.dispatch:
                if rule.category == category and rule.site == wanted:
                    return rule.department
        return None


def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _read(directory: Path, name: str, model: type[BaseModel], problems: list) -> BaseModel | None:
    path = directory / name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append((str(path), "(file)", "file is missing"))
        return None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append((str(path), "(syntax)", f"not valid TOML: {exc}"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append((str(path), _location(err["loc"]), err["msg"]))
        return None


def _unique(items, path: Path, key: str, problems: list) -> dict:
    out = {}
    for i, item in enumerate(items):
        ident = getattr(item, "id", None) or getattr(item, "number")
        if ident in out:
            problems.append((str(path), f"{key}[{i}].id", f"duplicate id {ident!r}"))
        out[ident] = item
    return out


def load_operator_config(directory: Path) -> OperatorConfig:
    """Read and validate every file; raise ConfigError listing every problem found."""
    directory = Path(directory)
    problems: list[tuple[str, str, str]] = []
    files = {name: _read(directory, name, model, problems) for name, model in FILES.items()}
    if problems:
        raise ConfigError(problems)
    cfg = _index(directory, files, problems)
    from config.crosscheck import crosscheck

    crosscheck(cfg, problems)
    if problems:
        raise ConfigError(problems)
    return cfg


def _index(directory: Path, f: dict, problems: list) -> OperatorConfig:
    p = lambda name: directory / name  # noqa: E731
    return OperatorConfig(
        directory=directory,
        sites=_unique(f["sites.toml"].sites, p("sites.toml"), "sites", problems),
        lines=_unique(f["lines.toml"].lines, p("lines.toml"), "lines", problems),
        queue=f["lines.toml"].queue,
        legacy_numbers=_unique(
            f["legacy_numbers.toml"].numbers, p("legacy_numbers.toml"), "numbers", problems
        ),
        menu=f["menu.toml"],
        prompts=dict(f["prompts.toml"].prompts),
        departments=_unique(
            f["departments.toml"].departments, p("departments.toml"), "departments", problems
        ),
        dispatch=list(f["departments.toml"].dispatch),
        categories=_unique(
            f["categories.toml"].categories, p("categories.toml"), "categories", problems
        ),
        time_limits=f["time_limits.toml"],
        request_types=_unique(
            f["time_limits.toml"].request_types, p("time_limits.toml"), "request_types", problems
        ),
        pause_reasons=_unique(
            f["pause_reasons.toml"].reasons, p("pause_reasons.toml"), "reasons", problems
        ),
        files=f,
    )
