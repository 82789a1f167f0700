"""Queue fixtures: a CallQueue on the real Redis with a clock the test moves by hand."""

from __future__ import annotations

import pytest
from queue_helpers import FakeClock

from callqueue.api import CallQueue


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def queue(redis_client, operator_config, clock):
    return CallQueue(redis_client, operator_config, clock=clock)
