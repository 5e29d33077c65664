"""Chart geometry for server-rendered SVG (templates/console/_charts.html draws it).

Drawn on the server so that charts need no JavaScript and no charting library in the browser;
each chart is an `<svg role="img">` whose title and description say what it shows, followed by
the table of its numbers. Coordinates are in SVG user units of a fixed viewBox that the
stylesheet scales to the width of the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH = 640
COLUMN_HEIGHT = 180  # the plot area of a column chart
AXIS_LEFT = 64  # room for the value labels
AXIS_BOTTOM = 30  # room for the day labels
ROW_HEIGHT = 34  # one bar of a bar chart
LABEL_WIDTH = 290  # the bar labels of a bar chart (15 characters at 17 units)


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True, slots=True)
class Tick:
    position: float  # y of a column chart's gridline, x of a bar chart's
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]  # value gridlines
    labels: list[Tick]  # category labels (days of a column chart), position along the axis
    baseline: float  # y of a column chart's zero line, x of a bar chart's
    left: float = AXIS_LEFT  # x where a column chart's plot begins


def nice_maximum(value: int) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at least `value` (4 for 3): the top of the value axis."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _ticks(maximum: int) -> list[int]:
    return [0, maximum // 2, maximum] if maximum >= 2 else [0, maximum]


def columns(points: list[tuple[str, int]], label_every: int | None = None) -> Chart:
    """A column per point (e.g. per day), left to right; every `label_every`-th point labelled
    back from the last (by default about six labels, wide enough to read on a phone)."""
    count = max(len(points), 1)
    top = nice_maximum(max((value for _, value in points), default=0))
    plot_width = WIDTH - AXIS_LEFT - 4
    step = plot_width / count
    gap = min(2.0, step * 0.2)
    baseline = 8 + COLUMN_HEIGHT
    every = label_every or max(1, math.ceil(count / 6))
    bars, labels = [], []
    for index, (label, value) in enumerate(points):
        height = COLUMN_HEIGHT * value / top
        x = AXIS_LEFT + index * step
        bars.append(Bar(x + gap / 2, baseline - height, step - gap, height, label, value))
        # Counted from the last point: the newest day (today) always has its label.
        if (len(points) - 1 - index) % every == 0:
            labels.append(Tick(x + step / 2, label))
    ticks = [Tick(baseline - COLUMN_HEIGHT * value / top, f"{value:,}") for value in _ticks(top)]
    return Chart(WIDTH, int(baseline + AXIS_BOTTOM), bars, ticks, labels, baseline)


def bars(points: list[tuple[str, int]]) -> Chart:
    """A horizontal bar per point, top to bottom, labelled on the left."""
    top = nice_maximum(max((value for _, value in points), default=0))
    plot_width = WIDTH - LABEL_WIDTH - 64  # room for the value after the bar
    result = []
    for index, (label, value) in enumerate(points):
        width = plot_width * value / top
        y = 4 + index * ROW_HEIGHT
        result.append(Bar(LABEL_WIDTH, y + 5, width, ROW_HEIGHT - 10, label, value))
    height = 8 + len(points) * ROW_HEIGHT
    ticks = [Tick(LABEL_WIDTH + plot_width * value / top, f"{value:,}") for value in _ticks(top)]
    return Chart(WIDTH, height, result, ticks, [], LABEL_WIDTH)
