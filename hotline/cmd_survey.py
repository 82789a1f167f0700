"""CLI of the phone callback survey (回访): `hotline survey call CASE_NUMBER`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from hotline.console import clear_errors, console

survey_app = typer.Typer(help="The phone callback survey (回访) of closed-out work orders.",
                         no_args_is_help=True)
EXIT_TELEPHONY = 3


@survey_app.command("call")
def call(case_number: Annotated[str, typer.Argument(help="e.g. 12345-20261127-000042")]) -> None:
    """Ring the citizen over AMI into the case_survey AGI script.

    A reviewed case moves into the callback survey first; one already in it is called again.
    When the call cannot be placed, nothing changes and the exit status is 3.
    """
    from asterisk.manager import ManagerSocketException
    from sqlalchemy import select

    from ami.client import AmiClient
    from ami.errors import AmiError
    from ami.survey import place_survey, survey_originate
    from crm.audit import Actor
    from crm.errors import NotFound
    from crm.models import Case
    from crm.phone_survey import CASE_NUMBER, prepare_call
    from hotline.context import AppContext

    if not CASE_NUMBER.fullmatch(case_number):
        raise typer.BadParameter(f"not a case number: {case_number!r}")
    with clear_errors():
        ctx = AppContext.from_env()
        settings = ctx.settings
        with ctx.sessions.begin() as session:  # an exception below rolls the move back
            case = session.scalar(select(Case).where(Case.number == case_number))
            if case is None:
                raise NotFound(f"no case {case_number}")
            case, target = prepare_call(session, case_id=case.id, actor=Actor.system("cli"))
            if not target.citizen_number:
                raise NotFound(f"case {case_number} has no number to call")
            try:
                originate = survey_originate(case_number, target.citizen_number,
                                             dial_template=settings.survey_dial,
                                             fastagi_bind=settings.fastagi_bind)
                with AmiClient.from_settings(settings) as client:
                    action_id = place_survey(client, originate)
            except (AmiError, ManagerSocketException) as exc:
                code = getattr(exc, "code", "ami_connect_failed")
                console.print(f"[bold red]survey call not placed[/] ({code}): {exc}")
                raise typer.Exit(EXIT_TELEPHONY) from None
        typer.echo(json.dumps({"case": case_number, "status": case.status,
                               "action_id": action_id, "data": originate.data}, ensure_ascii=False))


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add this area's commands to `app` (no benchmarks)."""
    app.add_typer(survey_app, name="survey")
