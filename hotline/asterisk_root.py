"""The Debian sid root that holds Asterisk 22: create it once (debootstrap), mount, unmount.

Creation is idempotent and resumable: it builds into ``<root>.partial`` with a marker file
after each stage and renames the folder only when Asterisk is installed, so an interrupted
build resumes at the stage it stopped in and a half-built root is never mistaken for one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
from pathlib import Path

ROOT_ENV = "HOTLINE_ASTERISK_ROOT"
MIRROR_ENV = "HOTLINE_DEBIAN_MIRROR"
DEFAULT_ROOT = Path("/var/cache/hotline12345/asterisk-root")
SUITE = "sid"
PACKAGES = ("asterisk",)  # Debian 12 has no asterisk package; sid has Asterisk 22
STAGE_DEBOOTSTRAP = ".hotline-stage-debootstrap"
STAGE_ASTERISK = ".hotline-stage-asterisk"
CHROOT_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
              "DEBIAN_FRONTEND": "noninteractive"}
# Keeps package scripts from starting services inside the root while installing.
POLICY_RC_D = "#!/bin/sh\n# hotline: never start services while installing into this root\nexit 101\n"
MOUNTS = (("proc", "proc", ["-t", "proc", "proc"]), ("dev", "dev", ["--bind", "/dev"]))


class AsteriskEnvError(RuntimeError):
    """Provisioning or running Asterisk failed. ``code`` is part of the CLI contract."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def root_path() -> Path:
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def require_root_user() -> None:
    if os.geteuid() != 0:
        raise AsteriskEnvError(
            "asterisk_needs_root",
            "running Asterisk in its Debian root needs root (chroot, mount); run as root",
        )


def is_ready(root: Path) -> bool:
    """A usable root: Asterisk installed and its user present."""
    if not (root / "usr/sbin/asterisk").exists():
        return False
    passwd = root / "etc/passwd"
    return passwd.exists() and any(line.startswith("asterisk:")
                                   for line in passwd.read_text().splitlines())


def mounted_under(path: Path) -> list[Path]:
    """Mount points at or below ``path`` (from /proc/self/mountinfo), deepest first."""
    base = str(path.resolve())
    found = []
    with open("/proc/self/mountinfo") as info:
        for line in info:
            point = line.split()[4].encode().decode("unicode_escape")
            if point == base or point.startswith(base + "/"):
                found.append(Path(point))
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def mount_all(root: Path) -> None:
    """Mount /proc and bind /dev into the root, unless already mounted."""
    current = set(mounted_under(root))
    for sub, _, args in MOUNTS:
        target = root / sub
        if target.resolve() not in current:
            target.mkdir(exist_ok=True)
            _check(["mount", *args, str(target)], f"mount {target}")


def unmount_all(root: Path) -> None:
    """Unmount everything below the root, lazily when busy."""
    for point in mounted_under(root):
        if point == root.resolve():
            continue
        if subprocess.run(["umount", str(point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(point)], capture_output=True)
    left = [p for p in mounted_under(root) if p != root.resolve()]
    if left:
        raise AsteriskEnvError("asterisk_unmount_failed", f"still mounted: {left}")


def safe_rmtree(path: Path) -> None:
    """Remove a tree only after unmounting what is inside: never delete the host's /dev."""
    unmount_all(path)
    shutil.rmtree(path)


@contextlib.contextmanager
def file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_root(root: Path, log=print) -> Path:
    """Reuse the root when ready; otherwise build it (debootstrap + apt-get install asterisk)."""
    require_root_user()
    with file_lock(root.with_name(root.name + ".build.lock")):
        if is_ready(root):
            return root
        if root.exists():
            raise AsteriskEnvError(
                "asterisk_root_broken",
                f"{root} exists but has no Asterisk; remove it (after `hotline asterisk down`)",
            )
        _build(root, root.with_name(root.name + ".partial"), log)
        return root


def _build(root: Path, partial: Path, log) -> None:
    if partial.exists() and not (partial / STAGE_DEBOOTSTRAP).exists():
        log(f"removing an unfinished debootstrap in {partial}")
        safe_rmtree(partial)
    if not (partial / STAGE_DEBOOTSTRAP).exists():
        _debootstrap(partial, log)
    if not (partial / STAGE_ASTERISK).exists():
        _install_asterisk(partial, log)
    unmount_all(partial)
    partial.rename(root)
    log(f"Asterisk root ready at {root}")


def _debootstrap(partial: Path, log) -> None:
    if not shutil.which("debootstrap"):
        raise AsteriskEnvError("asterisk_no_debootstrap",
                               "debootstrap is missing: apt-get install debootstrap")
    partial.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["debootstrap", "--variant=minbase", SUITE, str(partial)]
    if os.environ.get(MIRROR_ENV):
        cmd.append(os.environ[MIRROR_ENV])
    log(f"debootstrap {SUITE} into {partial} (a few minutes, ~600 MB)")
    _check(cmd, "debootstrap")
    (partial / STAGE_DEBOOTSTRAP).touch()


def _install_asterisk(partial: Path, log) -> None:
    policy = partial / "usr/sbin/policy-rc.d"
    policy.write_text(POLICY_RC_D)
    policy.chmod(0o755)
    mount_all(partial)
    try:
        log("apt-get install asterisk inside the root")
        try:  # debootstrap left fresh, verified package lists: use them as they are
            _apt_install(partial)
        except AsteriskEnvError:  # resumed later: lists may be stale, refresh once
            chroot_run(partial, ["apt-get", "update", "-qq"], "apt-get update")
            _apt_install(partial)
        chroot_run(partial, ["apt-get", "clean"], "apt-get clean")
    finally:
        unmount_all(partial)
    if not is_ready(partial):
        raise AsteriskEnvError("asterisk_install_failed", "asterisk did not install")
    (partial / STAGE_ASTERISK).touch()


def _apt_install(partial: Path) -> None:
    chroot_run(partial, ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
               "apt-get install asterisk")


def chroot_run(root: Path, args: list[str], what: str, timeout: float | None = None) -> str:
    return _check(["chroot", str(root), *args], what, timeout=timeout, env=CHROOT_ENV)


def _check(cmd: list[str], what: str, timeout: float | None = None, env=None) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise AsteriskEnvError("asterisk_command_timeout", f"{what}: no answer in {timeout}s")
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()[-2000:]
        raise AsteriskEnvError("asterisk_command_failed",
                               f"{what} failed ({proc.returncode}): {detail}")
    return proc.stdout
