"""The `hotline` command as an operator uses it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.db import make_engine, make_sessionmaker
from crm.models import AgentProfile, User


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    # no Asterisk root: these tests never touch the machine's real one
    env.update({"HOTLINE_VAR_DIR": str(tmp_path / "var"),
                "HOTLINE_ASTERISK_ROOT": str(tmp_path / "no-asterisk-root"), **extra})
    return env


def _hotline(tmp_path, *args, input_text=None, **env):
    return subprocess.run([sys.executable, "-m", "hotline", *args], cwd=tmp_path, input=input_text,
                          env=_env(tmp_path, **env), capture_output=True, text=True, timeout=120)


def test_user_add_stores_an_argon2_hash_and_an_agent_profile(tmp_path):
    assert _hotline(tmp_path, "db", "upgrade").returncode == 0
    result = _hotline(tmp_path, "user", "add", "li.na", "--role", "agent", "--extension", "8001",
                      "--site", "guiyang", "--skills", "general:1,market:2",
                      input_text="s3cret-pass\ns3cret-pass\n")
    assert result.returncode == 0, result.stderr
    assert "s3cret-pass" not in result.stdout + result.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'hotline.sqlite3'}")
    with make_sessionmaker(engine)() as s:
        user = s.scalar(select(User))
        profile = s.scalar(select(AgentProfile))
    engine.dispose()
    assert user.password_hash.startswith("$argon2id$")
    assert (profile.extension, profile.site_id, profile.skills) == ("8001", "guiyang", {"general": 1, "market": 2})


def test_user_add_refuses_an_unknown_line_and_writes_nothing(tmp_path):
    _hotline(tmp_path, "db", "upgrade")
    result = _hotline(tmp_path, "user", "add", "x", "--role", "agent", "--extension", "8002",
                      "--skills", "nowhere:1", input_text="s3cret-pass\ns3cret-pass\n")
    assert result.returncode == 2 and "unknown line 'nowhere'" in result.stderr
    again = _hotline(tmp_path, "user", "add", "x", "--role", "supervisor",
                     input_text="s3cret-pass\ns3cret-pass\n")
    assert again.returncode == 0, again.stderr


def _wait(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _healthz(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_up_serves_web_and_fastagi_then_stops_cleanly_on_ctrl_c(tmp_path):
    web, agi = _free_port(), _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hotline", "up", "--no-asterisk"], cwd=tmp_path,
                            env=_env(tmp_path, HOTLINE_WEB_BIND=f"127.0.0.1:{web}",
                                     HOTLINE_FASTAGI_BIND=f"127.0.0.1:{agi}"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait(lambda: _healthz(web)), "web never answered /healthz"
        assert _accepts(agi)
        assert (tmp_path / "var" / "redis" / "appendonly.aof").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert f"agi://127.0.0.1:{agi}" in out and f"http://127.0.0.1:{web}" in out
    assert "embedded Redis stopped" in out
    assert "Asterisk skipped (--no-asterisk)" in out
    assert not _accepts(web) and not _accepts(agi)
    assert not (tmp_path / "var" / "redis" / "redis.sock").exists()


def _telephony_status(port: int, token: str) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/telephony",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def _api_login(port: int, username: str, password: str) -> str:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/login", method="POST",
                                 data=json.dumps({"username": username, "password": password}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())["token"]


def test_up_without_a_way_to_run_asterisk_says_why_in_one_line_and_runs_on(tmp_path):
    """No Asterisk root and no debootstrap: one line, the rest of the hotline runs, and the web
    reports 话务系统未连接 instead of a socket error."""
    web, agi, ami = _free_port(), _free_port(), _free_port()
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = dict(HOTLINE_WEB_BIND=f"127.0.0.1:{web}", HOTLINE_FASTAGI_BIND=f"127.0.0.1:{agi}",
               HOTLINE_AMI_PORT=str(ami), HOTLINE_ASTERISK_ROOT=str(tmp_path / "no-root"))
    assert _hotline(tmp_path, "db", "upgrade", **env).returncode == 0
    assert _hotline(tmp_path, "user", "add", "li.na", "--role", "agent", "--extension", "8001",
                    input_text="s3cret-pass\ns3cret-pass\n", **env).returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "hotline", "up"], cwd=tmp_path,
                            env=_env(tmp_path, PATH=str(empty_bin), **env),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        assert _wait(lambda: any("running; Ctrl-C" in line for line in lines)), "".join(lines)
        assert _accepts(agi)
        status = _telephony_status(web, _api_login(web, "li.na", "s3cret-pass"))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        reader.join(10)
    out = "".join(lines)
    assert proc.returncode == 0, out
    reason = [line for line in out.splitlines() if "Asterisk not started" in line]
    assert len(reason) == 1, out
    assert status["connected"] is False and status["label"] == "话务系统未连接"
    assert "Errno" not in status["reason"] and "refused" not in status["reason"].lower()
