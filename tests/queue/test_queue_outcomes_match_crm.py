"""The queue's outcomes are written into the CRM as they are: every value must be one it knows."""

from callqueue.models import Outcome
from crm.enums import CallOutcome


def test_every_queue_outcome_is_a_crm_call_outcome():
    assert {str(o) for o in Outcome} <= {str(o) for o in CallOutcome}
