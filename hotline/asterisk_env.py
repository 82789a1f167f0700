"""Run Asterisk 22 from its Debian sid root: up (provision, sync, start, wait), cli, down.

Asterisk runs as the asterisk user inside the root (`chroot <root> asterisk -U asterisk -G
asterisk -f`), sharing the host's network: AMI, FastAGI and SIP are all on loopback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from hotline.asterisk_files import (
    ETC,
    Generated,
    asterisk_ids,
    in_root,
    sync_config,
    sync_prompts,
    tls_plan,
)
from hotline.asterisk_root import (
    AsteriskEnvError,
    chroot_run,
    ensure_root,
    is_ready,
    mount_all,
    require_root_user,
    root_path,
    unmount_all,
)

BOOT_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
CLI_TIMEOUT_S = 30.0
PID_FILE = "var/run/asterisk/asterisk.pid"
RUN_DIR = "var/run/asterisk"
LOG_DIR = "var/log/asterisk"
CONSOLE_LOG = "asterisk-console.log"
LOCAL_CONF_SUBDIR = "asterisk_local"  # <var_dir>/asterisk_local/*.conf: site files


def agi_url_from_bind(bind: str) -> str:
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"  # Asterisk shares the host's network: reach a wildcard bind locally
    return f"agi://{host}:{port}"


@dataclass
class AsteriskEnv:
    """One Asterisk in one root. Not safe to share between processes without a lock."""

    root: Path
    prompts_dir: Path
    log_dir: Path
    generated: Generated
    include_test: bool = False
    local_conf_dir: Path | None = None  # the site's own *.conf (pjsip_local.conf, ...)
    extra_files: dict[str, str] = field(default_factory=dict)  # name -> generated text
    _process: subprocess.Popen | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings, include_test: bool = False, **overrides) -> "AsteriskEnv":
        gen = Generated(
            ami_host=settings.ami_host, ami_port=settings.ami_port, ami_user=settings.ami_user,
            ami_secret=settings.ami_secret.get_secret_value(),
            agi_url=settings.agi_servers or agi_url_from_bind(settings.fastagi_bind),
            trunk_match=settings.sip_trunk_match, tls=tls_plan(settings),
            sip_bind=settings.sip_bind,
        )
        values = dict(root=root_path(), prompts_dir=settings.prompts_dir,
                      log_dir=settings.log_dir, generated=gen, include_test=include_test,
                      local_conf_dir=settings.var_dir.resolve() / LOCAL_CONF_SUBDIR)
        values.update(overrides)
        return cls(**values)

    # --- state ------------------------------------------------------------------------
    def running_pid(self) -> int | None:
        """The pid of an Asterisk running from this root, if any (checked via /proc)."""
        try:
            pid = int(in_root(self.root, PID_FILE).read_text().strip())
            same_root = os.path.realpath(f"/proc/{pid}/root") == os.path.realpath(self.root)
        except (FileNotFoundError, ValueError, PermissionError):
            return None
        return pid if same_root and not _is_zombie(pid) else None

    def etc_path(self, name: str) -> Path:
        """A file of the root's /etc/asterisk (where the seats file is rewritten live)."""
        return in_root(self.root, ETC) / name

    def asterisk_log(self, name: str) -> Path:
        """A file under the root's /var/log/asterisk, e.g. "queue_log", "cdr-csv/Master.csv"."""
        return in_root(self.root, LOG_DIR) / name

    # --- commands -----------------------------------------------------------------------
    def provision(self, log=print) -> None:
        """Create the root if needed (debootstrap), then copy configuration and prompts in."""
        require_root_user()
        ensure_root(self.root, log=log)
        sync_config(self.root, self.generated, include_test=self.include_test,
                    local_dir=self.local_conf_dir, extra=self.extra_files)
        sync_prompts(self.root, self.prompts_dir)

    def up(self, log=print) -> str:
        """Provision and start, or re-sync and reload when already running."""
        self.provision(log=log)
        if self.running_pid():
            self.cli("core reload")
            return "reloaded"
        mount_all(self.root)
        self._prepare_run_dir()
        self._start()
        self.wait_booted()
        return "started"

    def _prepare_run_dir(self) -> None:
        run_dir = in_root(self.root, RUN_DIR)
        run_dir.mkdir(parents=True, exist_ok=True)
        os.chown(run_dir, *asterisk_ids(self.root))

    def _start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / CONSOLE_LOG, "ab") as out:
            self._process = subprocess.Popen(
                ["chroot", str(self.root), "asterisk", "-U", "asterisk", "-G", "asterisk", "-f"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the `hotline asterisk up` process
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
            )

    def wait_booted(self, timeout: float = BOOT_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise AsteriskEnvError("asterisk_exited", f"Asterisk exited with "
                                       f"{self._process.returncode}: {self._console_tail()}")
            probe = subprocess.run(
                ["chroot", str(self.root), "asterisk", "-rx", "core waitfullybooted"],
                capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
            if probe.returncode == 0 and "Unable to connect" not in probe.stdout:
                return
            time.sleep(0.2)
        raise AsteriskEnvError("asterisk_boot_timeout",
                               f"Asterisk not fully booted in {timeout}s: {self._console_tail()}")

    def _console_tail(self) -> str:
        try:
            return (self.log_dir / CONSOLE_LOG).read_text(errors="replace")[-1500:]
        except FileNotFoundError:
            return "(no console output)"

    def cli(self, command: str, timeout: float = CLI_TIMEOUT_S) -> str:
        """Run one CLI command (`asterisk -rx`) and return its output."""
        require_root_user()
        if not is_ready(self.root):
            raise AsteriskEnvError("asterisk_no_root", f"no Asterisk root at {self.root}")
        try:
            return chroot_run(self.root, ["asterisk", "-rx", command],
                              f"asterisk -rx {command!r}", timeout=timeout)
        except AsteriskEnvError as exc:
            if "Unable to connect" in exc.message:
                raise AsteriskEnvError("asterisk_not_running",
                                       "Asterisk is not running: `hotline asterisk up`") from None
            raise

    def down(self) -> bool:
        """Stop Asterisk (if running) and unmount; True when a running Asterisk was stopped."""
        require_root_user()
        pid = self.running_pid()
        if pid:
            subprocess.run(["chroot", str(self.root), "asterisk", "-rx", "core stop now"],
                           capture_output=True, timeout=CLI_TIMEOUT_S)
            if not self._wait_gone(pid, STOP_TIMEOUT_S):
                os.kill(pid, signal.SIGKILL)
                self._wait_gone(pid, 5.0)
        elif self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(5.0)
        unmount_all(self.root)
        return bool(pid)

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        if self._process is not None and self._process.pid == pid:
            try:
                self._process.wait(timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not os.path.exists(f"/proc/{pid}") or _is_zombie(pid):
                return True
            time.sleep(0.1)
        return False


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return True
