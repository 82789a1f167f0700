"""Asterisk 22 boots from its Debian sid root with the project's configuration."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hotline.asterisk_files import PROJECT_CONF_DIR
from hotline.asterisk_root import mounted_under, safe_rmtree

pytestmark = pytest.mark.asterisk


def _listed_modules() -> list[str]:
    text = (PROJECT_CONF_DIR / "modules.conf").read_text()
    return re.findall(r"^load\s*=>\s*(\S+)", text, flags=re.M)


def test_every_module_in_modules_conf_is_running(asterisk):
    status = {}
    for line in asterisk.cli("module show").splitlines():
        parts = line.split()
        if parts and parts[0].endswith(".so"):
            status[parts[0]] = "Running" if "Running" in line else line
    expected = _listed_modules()
    if not (PROJECT_CONF_DIR / "queues.conf").exists():
        # app_queue declines to load without queues.conf (written with extensions.conf)
        expected.remove("app_queue.so")
    assert {m: status.get(m, "not loaded") for m in expected if status.get(m) != "Running"} == {}


def test_no_configuration_file_is_missing(asterisk):
    log = asterisk.asterisk_log("messages.log").read_text(errors="replace")
    boot = log[log.rfind("modules will be loaded"):]
    assert re.findall(r"Unable to load config file '([^']+)'", boot) == []


def test_ami_listens_on_loopback_only(asterisk, asterisk_settings):
    out = asterisk.cli("manager show settings")
    assert re.search(r"TCP Bindaddress:\s+127\.0\.0\.1:%d\s" % asterisk_settings.ami_port, out), out


def test_cli_command_runs_inside_the_root(asterisk, asterisk_settings):
    env = {**os.environ, "HOTLINE_VAR_DIR": str(asterisk_settings.var_dir)}
    done = subprocess.run([sys.executable, "-m", "hotline", "asterisk", "cli",
                           "core show version"], capture_output=True, text=True, env=env,
                          cwd=PROJECT_CONF_DIR.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Asterisk 22.")


def test_removing_a_tree_never_deletes_what_is_mounted_inside_it():
    # A root with /dev bind-mounted inside: a careless rm -rf would empty the host's /dev.
    with tempfile.TemporaryDirectory() as tmp:
        host_dir, tree = Path(tmp, "host"), Path(tmp, "tree")
        (tree / "dev").mkdir(parents=True)
        host_dir.mkdir()
        (host_dir / "precious").write_text("keep")
        subprocess.run(["mount", "--bind", str(host_dir), str(tree / "dev")], check=True)
        assert mounted_under(tree) == [tree / "dev"]
        safe_rmtree(tree)
        assert not tree.exists()
        assert (host_dir / "precious").read_text() == "keep"


def test_site_files_and_settings_reach_etc_asterisk(asterisk, asterisk_settings, tmp_path):
    from hotline.asterisk_files import in_root, sync_config

    local = tmp_path / "asterisk_local"
    local.mkdir()
    (local / "pjsip_local.conf").write_text("; seats of this site\n")
    written = sync_config(asterisk.root, asterisk.generated, include_test=True, local_dir=local)
    etc = in_root(asterisk.root, "etc/asterisk")
    assert "pjsip_local.conf" in written
    manager_local = (etc / "manager_local.conf").read_text()
    assert f"secret = {asterisk_settings.ami_secret.get_secret_value()}" in manager_local
    assert (etc / "manager_local.conf").stat().st_mode & 0o777 == 0o640
    assert "#tryinclude" in (etc / "extensions.conf").read_text()
    assert (etc / "extensions_test.conf").exists()


def test_music_on_hold_has_the_hold_tune(asterisk):
    out = asterisk.cli("moh show files")
    assert "Class: default" in out and "hotline/hold" in out, out
