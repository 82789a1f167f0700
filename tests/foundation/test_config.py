"""Operator data and settings: a broken file stops the process with file, key and problem."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from config.errors import ConfigError
from config.operator import load_operator_config
from config.settings import DEFAULT_CONFIG_DIR, load_settings


@pytest.fixture
def config_copy(tmp_path):
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _problems(directory) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as info:
        load_operator_config(directory)
    return info.value.problems


def test_the_shipped_configuration_is_valid(operator_config):
    assert operator_config.province.name == "贵州省"
    assert len(operator_config.sites) == 10
    assert operator_config.legacy_numbers["12333"].line == "social_security"
    assert operator_config.menu.menus["main"].keys["0"].action == "queue"


def test_a_broken_toml_file_is_named(config_copy):
    (config_copy / "lines.toml").write_text("[[lines]\nid = 'general'\n")
    (file, key, message), = _problems(config_copy)
    assert file.endswith("lines.toml") and key == "(syntax)" and "TOML" in message


def test_an_unknown_key_is_named_with_its_path(config_copy):
    path = config_copy / "sites.toml"
    path.write_text(path.read_text().replace('kind = "province"', 'kind = "province"\ncolour = "red"', 1))
    (file, key, message), = _problems(config_copy)
    assert file.endswith("sites.toml") and key == "sites[0].colour"
    assert "Extra inputs" in message


def test_a_line_referring_to_a_missing_site_is_named(config_copy):
    path = config_copy / "lines.toml"
    path.write_text(path.read_text().replace('name_en = "General service"',
                                             'name_en = "General service"\nsites = ["atlantis"]', 1))
    (file, key, message), = _problems(config_copy)
    assert file.endswith("lines.toml") and key == "lines[0].sites[0]"
    assert "atlantis" in message


def test_a_legacy_number_with_an_unknown_line_is_named(config_copy):
    path = config_copy / "legacy_numbers.toml"
    path.write_text(path.read_text().replace('line = "market"', 'line = "nowhere"', 1))
    (file, key, message), = _problems(config_copy)
    assert file.endswith("legacy_numbers.toml") and key == "numbers[0].line"


def test_a_menu_without_zero_for_a_person_is_refused(config_copy):
    path = config_copy / "menu.toml"
    path.write_text(path.read_text().replace('"0" = { action = "queue", line = "general" }\n', ""))
    problems = _problems(config_copy)
    assert any(k == "menus.main.keys" and "0 for a person" in m for _, k, m in problems)


def test_a_missing_file_is_named(config_copy):
    (config_copy / "pause_reasons.toml").unlink()
    (file, key, message), = _problems(config_copy)
    assert file.endswith("pause_reasons.toml") and message == "file is missing"


def test_a_placeholder_secret_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("HOTLINE_ENV", "production")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "HOTLINE_SECRET_KEY is a placeholder" in str(info.value)
    monkeypatch.setenv("HOTLINE_SECRET_KEY", "a-real-secret-of-some-length")
    monkeypatch.setenv("HOTLINE_AMI_SECRET", "another-real-secret")
    assert load_settings().env == "production"


def test_settings_defaults_bind_to_loopback(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.fastagi_bind == "127.0.0.1:4573"
    assert settings.web_bind == "127.0.0.1:8000"
    assert settings.ami_host == "127.0.0.1"
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'var' / 'hotline.sqlite3'}"
    assert settings.embedded_redis


def test_a_malformed_bind_names_the_variable(monkeypatch):
    monkeypatch.setenv("HOTLINE_FASTAGI_BIND", "4573")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.problems[0][1] == "HOTLINE_FASTAGI_BIND"


def test_config_check_exits_2_and_names_the_file(config_copy, tmp_path):
    (config_copy / "menu.toml").write_text("entry = 3\n")
    env = {"HOTLINE_CONFIG_DIR": str(config_copy), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "hotline", "config", "check"], env=env,
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert "menu.toml" in result.stderr and "entry" in result.stderr
    ok = subprocess.run([sys.executable, "-m", "hotline", "config", "check"], cwd=tmp_path,
                        env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "10 sites" in ok.stderr


def test_a_redis_pool_of_no_connections_is_refused_with_the_variable_named(monkeypatch):
    monkeypatch.setenv("HOTLINE_REDIS_MAX_CONNECTIONS", "0")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.problems[0][1] == "HOTLINE_REDIS_MAX_CONNECTIONS"
