"""Arithmetic on half-open time intervals [start, end), shared by availability, search and
reports. Intervals are compared in UTC (or any single fixed offset): Python compares two
datetimes of one ``ZoneInfo`` by wall clock, which would make a night across the autumn change
an hour short."""

from collections.abc import Iterable
from datetime import datetime

Interval = tuple[datetime, datetime]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, overlapping or touching intervals merged into disjoint ones."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_intervals(base: list[Interval], remove: list[Interval]) -> list[Interval]:
    """``base`` minus ``remove``; ``base`` sorted and disjoint (as ``merge_intervals`` returns)."""
    result: list[Interval] = []
    cuts = merge_intervals(remove)
    for start, end in base:
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result
