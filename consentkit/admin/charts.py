"""Charts as SVG drawn on the server: stacked bars for counts, lines for shares.
Shapes carry classes (``s0``...``s7`` for the series), never inline styles, so
the console's stylesheet colours them in light and dark alike under a strict CSP.
Every shape has a ``<title>`` with its number; the table under each chart holds
the same numbers for those who do not read charts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .figures import Figure

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 44
SERIES_CLASSES = 8


@dataclass(slots=True)
class Shape:
    kind: str  # "rect", "line" (a polyline), "dot"
    cls: str
    title: str
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    points: str = ""


@dataclass(slots=True)
class Chart:
    id: str
    width: int
    height: int
    shapes: list[Shape] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, label)
    labels: list[tuple[float, str]] = field(default_factory=list)  # (x, label)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (class, name)
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def nice_ceiling(value: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0):
        if step * power >= value:
            return step * power
    return 10.0 * power


def _scale(top: float) -> tuple[float, list[tuple[float, float]]]:
    plot = HEIGHT - TOP - BOTTOM
    return plot / top, [(top * i / 4, HEIGHT - BOTTOM - plot * i / 4) for i in range(5)]


def _x_labels(chart: Chart, periods: list[str], step: float, offset: float) -> None:
    every = max(1, math.ceil(len(periods) / 8))
    for i, label in enumerate(periods):
        if i % every == 0:
            chart.labels.append((LEFT + i * step + offset, label))


def draw(figure: Figure) -> Chart:
    chart = Chart(figure.id, WIDTH, HEIGHT)
    names = list(figure.series)
    chart.legend = [(f"s{i % SERIES_CLASSES}", name) for i, name in enumerate(names)]
    n = max(1, len(figure.periods))
    step = (WIDTH - LEFT - RIGHT) / n
    if figure.kind == "stack":
        totals = [sum(figure.series[s][i] for s in names) for i in range(len(figure.periods))]
        top = nice_ceiling(max(totals, default=0))
        ratio, ticks = _scale(top)
        chart.ticks = [(y, f"{int(v):,}" if v == int(v) else f"{v:,.1f}") for v, y in ticks]
        width = max(1.0, step * 0.8)
        for i, period in enumerate(figure.periods):
            base = float(HEIGHT - BOTTOM)
            for k, name in enumerate(names):
                value = figure.series[name][i]
                if value <= 0:
                    continue
                h = value * ratio
                base -= h
                chart.shapes.append(Shape("rect", f"s{k % SERIES_CLASSES}", f"{period} {name}: {int(value):,}",
                                          x=round(LEFT + i * step + (step - width) / 2, 2), y=round(base, 2),
                                          w=round(width, 2), h=round(h, 2)))
        _x_labels(chart, figure.periods, step, step / 2)
    else:
        ratio, ticks = _scale(1.0)
        chart.ticks = [(y, f"{v * 100:.0f}%") for v, y in ticks]
        for k, name in enumerate(names):
            points = []
            for i, value in enumerate(figure.series[name]):
                if math.isnan(value):  # nothing decided that period: a gap
                    continue
                x, y = round(LEFT + i * step + step / 2, 2), round(HEIGHT - BOTTOM - value * ratio, 2)
                points.append(f"{x},{y}")
                chart.shapes.append(Shape("dot", f"s{k % SERIES_CLASSES}",
                                          f"{figure.periods[i]} {name}: {value * 100:.1f}%", x=x, y=y))
            if len(points) > 1:
                chart.shapes.insert(0, Shape("line", f"s{k % SERIES_CLASSES}", name, points=" ".join(points)))
        _x_labels(chart, figure.periods, step, step / 2)
    return chart
