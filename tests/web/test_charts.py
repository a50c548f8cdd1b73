"""The reports' bar charts: the scale reads as numbers people expect on an axis."""

from django.utils import translation

from web.charts import bar_chart


def _labels(values: list[float]) -> list[str]:
    with translation.override("fr"):
        chart = bar_chart("T", [str(i) for i in range(len(values))], values)
    return [tick.label for tick in chart.ticks]


def test_a_count_axis_has_whole_numbers_each_once() -> None:
    assert _labels([2, 1]) == ["0", "1", "2"]
    assert _labels([7]) == ["0", "2", "4", "6", "8", "10"]
    assert _labels([0]) == ["0", "0,25", "0,50", "0,75", "1"]
    assert _labels([1800, 20]) == ["0", "500", "1\u00a0000", "1\u00a0500", "2\u00a0000"]
