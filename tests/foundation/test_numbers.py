"""Caller numbers as they arrive from Asterisk and Twilio."""

from __future__ import annotations

import pytest

from crm.numbers import mask, normalize, site_for_location


def test_a_guizhou_mobile_is_normalised_and_located(operator_config):
    n = normalize("13985012345")
    assert (n.e164, n.kind, n.location) == ("+8613985012345", "mobile", "贵州省贵阳市")
    assert site_for_location(n.location, operator_config.sites.values()) == "guiyang"


@pytest.mark.parametrize("raw", ["085185551234", "0851-8555-1234", "+86 851 8555 1234"])
def test_a_landline_with_area_code(raw, operator_config):
    n = normalize(raw)
    assert n.e164 == "+8685185551234" and n.kind == "fixed_line"
    assert n.location == "贵州省贵阳市、遵义市、安顺市" and n.area_code == "0851"
    # 0851 covers 贵阳、遵义、安顺: the geocoder names no single city, sites.toml gives it Guiyang.
    assert site_for_location(n.location, operator_config.sites.values()) == "guiyang"


def test_a_caller_id_with_a_name_and_quotes():
    assert normalize('"Zhang; San" <+8613985012345>').e164 == "+8613985012345"


@pytest.mark.parametrize("raw", ["unknown", "", None, "Anonymous", '"unknown"'])
def test_withheld_numbers(raw):
    n = normalize(raw)
    assert n.e164 is None and n.kind == "withheld" and not n.known


@pytest.mark.parametrize("raw", ["12345", "abc", "1398501234567890", "'; DROP TABLE calls;--"])
def test_invalid_numbers(raw):
    n = normalize(raw)
    assert n.e164 is None and n.kind == "invalid"


def test_masking_for_roles_that_need_not_see_the_number():
    assert mask("+8613985012345") == "139****2345"
    assert mask("+8685185551234") == "0851****1234"
    assert mask(None) == "未知号码"
