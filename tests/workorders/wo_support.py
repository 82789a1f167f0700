"""Constants shared by the work-order tests."""

from __future__ import annotations

from datetime import datetime, timezone

# Thursday 2026-11-26 09:30 in Guizhou: an ordinary working day.
T0 = datetime(2026, 11, 26, 1, 30, tzinfo=timezone.utc)
DEPT = "guiyang_market"
OTHER_DEPT = "guiyang_urban"
