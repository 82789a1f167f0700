"""Fixtures for tests on the real Asterisk 22: provision (reusing the cached root), start
it once per session with the project's configuration plus the test contexts, AMI, FastAGI.

One test session at a time may use the root: the session takes a file lock, so parallel
pytest runs on one machine wait for each other instead of fighting over one Asterisk.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
import warnings

import pytest

from config.settings import load_settings
from hotline.asterisk_root import is_ready, root_path
from pbx_harness import FastAgiProbe, set_global

SESSION_LOCK_WAIT_S = float(os.environ.get("HOTLINE_TEST_LOCK_WAIT_S", "900"))
TEST_AGI_GLOBAL = "HOTLINE_TEST_AGI"  # extensions_test.conf [test-agi] reads it


def asterisk_skip_reason() -> str | None:
    """Why this machine cannot run real-Asterisk tests, or None."""
    if os.geteuid() != 0:
        return "real-Asterisk tests need root (chroot, mount /proc and /dev); CI runs as root"
    if not is_ready(root_path()) and not shutil.which("debootstrap"):
        return (f"no Asterisk root at {root_path()} and no debootstrap to build one "
                "(apt-get install debootstrap; scripts/system-packages does)")
    return None


@pytest.fixture(scope="session")
def asterisk_settings(tmp_path_factory):
    """Settings of the test session: a private var dir, a random AMI secret, and a
    certificate of its own (made as `hotline asterisk up` makes one for dev), so that
    Asterisk serves wss:// on 127.0.0.1:<sip_wss_port> beside ws:// as in production."""
    from hotline.tls_cert import ensure_self_signed

    var_dir = tmp_path_factory.mktemp("asterisk-var")
    cert, key = ensure_self_signed(var_dir, "127.0.0.1")
    return load_settings(env="test", var_dir=var_dir, ami_secret=secrets.token_urlsafe(18),
                         tls_cert=cert, tls_key=key)


@pytest.fixture
def web_settings() -> dict:
    """Settings of the web app beyond the defaults of the browser-phone tests
    (voice_helpers.py); a module overrides this fixture."""
    return {}


@pytest.fixture
def browser_args() -> list[str]:
    """Chromium flags beyond the fake-media ones of the browser-phone tests
    (voice_helpers.py); a module overrides this fixture."""
    return []


@pytest.fixture(scope="session")
def built_prompts(asterisk_settings, operator_config):
    """The configured prompts rendered once per session (BuildReport)."""
    from hotline.prompts import build_prompts

    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed to render prompts (apt-get install "
                    "espeak-ng sox; scripts/system-packages does)")
    return build_prompts(operator_config.prompts, asterisk_settings.prompts_dir)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _first_in_line(tickets, mine) -> bool:
    """Sessions take the root in the order they asked for it (tickets of dead ones ignored)."""
    for ticket in sorted(tickets.iterdir()):
        if ticket == mine:
            return True
        pid = int(ticket.name.rsplit("-", 1)[-1])
        if _pid_alive(pid):
            return False
        ticket.unlink(missing_ok=True)
    return True


@pytest.fixture(scope="session")
def _root_session_lock():
    path = root_path().with_name(root_path().name + ".session.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    tickets = path.with_name(path.name + ".queue")
    tickets.mkdir(exist_ok=True)
    mine = tickets / f"{time.time_ns():020d}-{os.getpid()}"
    mine.touch()
    try:
        with open(path, "w") as handle:
            deadline = time.monotonic() + SESSION_LOCK_WAIT_S
            while True:
                if _first_in_line(tickets, mine):
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        pass
                if time.monotonic() > deadline:
                    pytest.fail(f"another test session held {path} for {SESSION_LOCK_WAIT_S}s")
                time.sleep(1.0)
            mine.unlink(missing_ok=True)
            yield
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        mine.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def asterisk(asterisk_settings, built_prompts, _root_session_lock):
    """A running Asterisk (AsteriskEnv) with asterisk_conf/ and the test-only contexts."""
    reason = asterisk_skip_reason()
    if reason:
        pytest.skip(reason)
    from hotline.asterisk_env import AsteriskEnv

    env = AsteriskEnv.from_settings(asterisk_settings, include_test=True)
    if env.running_pid():
        warnings.warn(f"stopping the Asterisk already running in {env.root} "
                      "(left by `hotline asterisk up` or an aborted test run)")
        env.down()
    env.up(log=lambda line: print(line))
    yield env
    env.down()


@pytest.fixture(scope="session")
def ami_session(asterisk, asterisk_settings):
    """(AmiClient, EventLog): one AMI connection logged in as the configured user."""
    from ami.client import AmiClient
    from ami.events import EventLog

    client = AmiClient.from_settings(asterisk_settings).connect()
    events = EventLog().attach(client)
    yield client, events
    client.close()


@pytest.fixture
def ami(ami_session):
    return ami_session[0]


@pytest.fixture
def ami_events(ami_session):
    return ami_session[1]


@pytest.fixture
def agi_probe(asterisk):
    """Factory: agi_probe(commands) starts a FastAGI probe and points [test-agi] at it."""
    probes = []

    def start(commands) -> FastAgiProbe:
        probe = FastAgiProbe(commands)
        probes.append(probe)
        set_global(asterisk, TEST_AGI_GLOBAL, probe.url)
        return probe

    yield start
    for probe in probes:
        probe.close()


@pytest.fixture
def hotline(asterisk, ami_session, redis_client, sqlite_sessions, operator_config,
            asterisk_settings):
    """Our FastAGI server (in-process) behind the real Asterisk, on a flushed Redis and a
    fresh SQLite CRM, with the test timings of e2e_harness. Leftover calls are hung up."""
    from e2e_harness import Hotline, e2e_operator
    from pbx_harness import wait_channels_gone

    client, events = ami_session
    line = Hotline(asterisk, client, events, redis_client, sqlite_sessions,
                   e2e_operator(operator_config), asterisk_settings).start_server()
    yield line
    if os.environ.get("HOTLINE_E2E_DEBUG"):  # the AGI transcript and queue events, for -s
        line.dump()
    asterisk.cli("channel request hangup all")
    wait_channels_gone(asterisk, timeout=30)
    line.close()
