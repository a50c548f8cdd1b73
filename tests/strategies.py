"""Hypothesis strategies shared by the property tests."""

from datetime import time
from typing import Any

from hypothesis import strategies as st

# Minutes past midnight.
minutes = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def opening_range(draw: Any) -> tuple[int, time, time]:
    """(weekday, opens, closes) at any minute of the day, or to midnight (closes 00:00)."""
    opens = draw(minutes)
    to_midnight = opens == 24 * 60 - 1 or draw(st.booleans())
    closes = 0 if to_midnight else draw(st.integers(min_value=opens + 1, max_value=24 * 60 - 1))
    clock = lambda total: time(total // 60, total % 60)  # noqa: E731
    return draw(st.integers(0, 6)), clock(opens), clock(closes)
