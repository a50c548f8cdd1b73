"""Charts drawn on the server as SVG (no script, no CDN): the geometry here, the markup in
``web/reports/_chart.html``, the colours in the stylesheet."""

import math
from dataclasses import dataclass

from django.utils import formats

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    label_x: float


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    tick_x: int = LEFT - 6
    label_y: int = HEIGHT - BOTTOM + 18
    right_edge: int = WIDTH - RIGHT


def _nice(top: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``top``."""
    if top <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 5, 10):
        if step * power >= top:
            return float(step * power)
    return float(10 * power)


def bar_chart(title: str, labels: list[str], values: list[float], digits: int = 0) -> BarChart:
    """Vertical bars, one per label, on a scale with four grid lines."""
    top = _nice(max(values, default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(values), 1)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_height * value / top
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=label,
                value=formats.number_format(value, decimal_pos=digits, force_grouping=True),
                label_x=round(LEFT + index * slot + slot / 2, 1),
            )
        )
    return BarChart(title=title, bars=bars, ticks=_ticks(top, plot_height))


def _ticks(top: float, plot_height: float) -> list[Tick]:
    """Grid lines at whole numbers when the scale allows (0, 2, 4 … 10; 0, 1, 2), else four
    steps written with their decimal (0, 0.25 … 1)."""
    steps = next((count for count in (4, 5, 2) if (top / count).is_integer()), 4)
    ticks = []
    for step in range(steps + 1):
        value = top * step / steps
        ticks.append(
            Tick(
                y=round(TOP + plot_height * (1 - step / steps), 1),
                label=formats.number_format(
                    value, decimal_pos=0 if value.is_integer() else 2, force_grouping=True
                ),
            )
        )
    return ticks
