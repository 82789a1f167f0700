"""Shared rich console and a helper to turn known errors into one clear line and exit 2."""

from __future__ import annotations

import contextlib
import sys

import typer
from rich.console import Console

from config.errors import ConfigError
from crm.errors import CrmError

console = Console(stderr=True, soft_wrap=True)


@contextlib.contextmanager
def clear_errors():
    """Print ConfigError/CrmError as plain lines for an operator and exit with status 2."""
    try:
        yield
    except ConfigError as exc:
        console.print("[bold red]configuration error[/]")
        for file, key, message in exc.problems:
            console.print(f"  {file}: [bold]{key}[/]: {message}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    except CrmError as exc:
        console.print(f"[bold red]error[/] ({exc.code}): {exc.message}")
        raise typer.Exit(2) from None


def emit_json(obj) -> None:
    """Print one JSON object as the last line on stdout (benchmarks and simulations)."""
    import json

    sys.stdout.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")
    sys.stdout.flush()
