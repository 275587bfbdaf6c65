"""A bar chart of daily amounts as plain geometry, for a server-rendered SVG.

The chart reads without colour: one series, bars on a labelled scale, every bar titled with
its day and amount; the page shows the same figures as a table too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH = 720
HEIGHT = 240
#: Room for the scale on the left and the day labels below.
LEFT, RIGHT, TOP, BOTTOM = 92, 8, 12, 28
TICKS = 4


@dataclass(frozen=True)
class Bar:
    day: date
    minor: int
    x: float
    y: float
    width: float
    height: float
    labelled: bool  # the day is written under this bar


@dataclass(frozen=True)
class Tick:
    y: float
    minor: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bottom: float  # y of the base line
    right: float  # x of the right end of the base line
    bars: list[Bar]
    ticks: list[Tick]


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (at least 1).

    >>> [nice_ceiling(v) for v in (0, 7, 12, 230, 251, 999)]
    [1, 10, 20, 250, 500, 1000]
    """
    if value <= 1:
        return 1
    power = 1
    while power * 10 < value:
        power *= 10
    for step in (1, 2, 2.5, 5, 10):
        candidate = int(power * step)
        if candidate >= value:
            return candidate
    return power * 10


def bar_chart(days: list[tuple[date, int]]) -> Chart:
    """Geometry of one bar per ``(day, minor units)``, oldest first; every seventh day, counted
    back from the last, is labelled."""
    highest = max((minor for _day, minor in days), default=0)
    step = nice_ceiling(-(-highest // TICKS))  # each tick a round amount
    top = step * TICKS
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(days), 1)
    bars = []
    for index, (day, minor) in enumerate(days):
        height = plot_height * max(minor, 0) / top
        bars.append(
            Bar(
                day=day,
                minor=minor,
                x=round(LEFT + index * slot + slot * 0.15, 2),
                y=round(TOP + plot_height - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                labelled=(len(days) - 1 - index) % 7 == 0,
            )
        )
    ticks = [
        Tick(y=round(TOP + plot_height - plot_height * n / TICKS, 2), minor=step * n)
        for n in range(TICKS + 1)
    ]
    return Chart(WIDTH, HEIGHT, LEFT, TOP + plot_height, WIDTH - RIGHT, bars, ticks)
