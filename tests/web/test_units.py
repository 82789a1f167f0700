"""Pure pieces of the web edge: the error table, token signing, number masking by role."""

from __future__ import annotations

import inspect

import pytest

import callqueue.errors
import crm.errors
import web.errors
from config.errors import ConfigError
from crm.enums import Role
from web.errors import STATUS_OF
from web.privacy import show_number
from web.sessions import TokenSigner


def _codes(module, base):
    return {cls.code for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, base)}


def test_every_domain_error_code_has_an_http_status():
    codes = (_codes(crm.errors, crm.errors.CrmError)
             | _codes(callqueue.errors, callqueue.errors.QueueError)
             | _codes(web.errors, web.errors.WebError) | {ConfigError.code})
    codes -= {"crm_error", "web_error"}  # abstract bases, never raised
    assert codes - set(STATUS_OF) == set()
    assert all(400 <= STATUS_OF[c] < 600 for c in codes)
    assert STATUS_OF["not_found"] == 404 and STATUS_OF["rate_limited"] == 429


def test_a_signed_token_round_trips_and_a_forged_one_does_not():
    signer = TokenSigner("one-secret")
    token = signer.sign("abc123")
    assert signer.unsign(token) == "abc123"
    assert TokenSigner("another-secret").unsign(token) is None
    assert signer.unsign("abc124." + token.split(".")[1]) is None
    assert signer.unsign("no-dot") is None and signer.unsign("") is None


@pytest.mark.parametrize("role,shown", [
    (Role.AGENT, "139****2345"), (Role.SUPERVISOR, "139****2345"),
    (Role.DEPARTMENT, "+8613985012345"), (Role.ADMIN, "+8613985012345")])
def test_numbers_are_masked_for_roles_that_need_not_see_them(role, shown):
    assert show_number("+8613985012345", role) == shown
    assert show_number("+8613985012345", role, confidential=True) == "139****2345"
    assert show_number(None, role) == "未知号码"


def test_a_three_way_calls_third_party_is_dialled_through_the_right_context():
    from web.ami_bridge import _third_party

    assert _third_party("110") == "Local/110@hotline-emergency"  # 12345–110 linkage
    assert _third_party("8602") == "Local/8602@hotline-transfer"  # an expert seat
    assert _third_party("PJSIP/8602") == "PJSIP/8602"
