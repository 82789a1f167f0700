"""Asterisk as one of `hotline up`'s supervised children: started after FastAGI listens,
watched while running, stopped on the way out.

Where Asterisk cannot run (not root, no root and no debootstrap to build one, prompts that
cannot be rendered) `start` says why in one line and returns False: the rest of the hotline
runs on, and the web shows 话务系统未连接 with its telephony buttons disabled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.asterisk_root import AsteriskEnvError
from hotline.console import console
from hotline.prompts import PromptBuildError


@dataclass
class AsteriskChild:
    ctx: object  # hotline.context.AppContext
    env: object | None = field(default=None, repr=False)
    pid: int | None = None
    why_not: str = ""

    def start(self) -> bool:
        """Build prompts, provision the root (built on first use), start or reload Asterisk."""
        from hotline.asterisk_env import AsteriskEnv
        from hotline.cmd_asterisk import build_prompts_with_progress
        from hotline.seat_wiring import seat_files

        try:
            build_prompts_with_progress(self.settings)
            self.env = AsteriskEnv.from_settings(self.settings, extra_files=seat_files(self.ctx))
            outcome = self.env.up(log=lambda line: console.print(line, highlight=False))
        except (AsteriskEnvError, PromptBuildError) as exc:
            self.env, self.why_not = None, f"{exc.code}: {exc.message}"
            console.print(f"[yellow]Asterisk not started[/] ({self.why_not}); the hotline runs "
                          "without telephony (web: 话务系统未连接)", highlight=False)
            return False
        self.pid = self.env.running_pid()
        console.print(f"[green]Asterisk[/] {outcome} in {self.env.root} (pid {self.pid}); "
                      f"AMI {self.settings.ami_host}:{self.settings.ami_port}")
        return True

    @property
    def settings(self):
        return self.ctx.settings

    def died(self) -> bool:
        """True when the Asterisk this child started is no longer running."""
        return self.env is not None and self.env.running_pid() != self.pid

    def stop(self) -> None:
        if self.env is None:
            return
        try:
            self.env.down()
            console.print("Asterisk stopped")
        except AsteriskEnvError as exc:
            console.print(f"[red]Asterisk did not stop cleanly[/] ({exc.code}: {exc.message})")
        self.env = None
