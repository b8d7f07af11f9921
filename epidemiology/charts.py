"""Server-rendered SVG charts of figures, drawn so that a bound reads as a
bound: "up to 50,000" is a bracket reaching to 50,000 from the left edge,
"more than 1,000,000" an arrow running on from 1,000,000, a range a segment,
and only a point value is a dot."""

import math
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 210
PLOT_RIGHT = WIDTH - 20
ROW_HEIGHT = 34
TOP = 12


@dataclass
class Mark:
    label: str
    text: str
    shape: str  # bar (value on a linear scale from 0), point, upper, lower, range
    x1: float
    x2: float
    y: float
    figure: object
    text_x: float = 0

    @property
    def bar_width(self) -> float:
        return round(max(self.x1 - LABEL_WIDTH, 1.5), 1)

    text_y: float = 0
    text_anchor: str = "start"


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    title: str
    description: str
    marks: list[Mark]
    ticks: list[Tick]
    height: int
    log: bool
    dom_id: str = "chart"
    width: int = WIDTH
    plot_left: int = LABEL_WIDTH
    plot_right: int = PLOT_RIGHT

    @property
    def axis_y(self) -> float:
        return self.height - 26


def disease_label(figure) -> str:
    """The figure's disease, by abbreviation when its name is long."""
    disease = figure.disease
    if len(disease.name) > 28 and disease.abbreviations:
        return disease.abbreviations[-1]
    return disease.name


def range_chart(figures: list, title: str, label=disease_label) -> Chart:
    """Counts (log scale when they span orders of magnitude) or percentages
    (linear). `figures` are epidemiology figures of one unit."""
    numbers = [n for f in figures for n in (f.value, f.lower, f.upper) if n is not None]
    percent = all(f.unit == "percent" for f in figures)
    log = not percent and min(numbers) > 0 and max(numbers) / min(numbers) > 50
    if log:
        low = 10 ** math.floor(math.log10(float(min(numbers))))
        if low >= min(numbers):  # keep a bound at the minimum off the axis edge
            low /= 10
        high = 10 ** math.ceil(math.log10(float(max(numbers)) * 1.0001))
        span = math.log10(high) - math.log10(low)

        def position(value) -> float:
            return (math.log10(float(value)) - math.log10(low)) / span

        first, last = int(math.log10(low)), int(math.log10(high))
        tick_values = [10**exponent for exponent in range(first, last + 1)]
    else:
        top = float(max(numbers))
        high = 100 if percent and top > 60 else _nice_ceiling(top * 1.05)

        def position(value) -> float:
            return float(value) / high

        step = _nice_ceiling(high / 5)
        tick_values = [step * i for i in range(int(high / step + 1e-9) + 1)]

    def scale(value) -> float:
        return LABEL_WIDTH + (PLOT_RIGHT - LABEL_WIDTH) * position(value)

    marks = []
    for row, figure in enumerate(figures):
        y = TOP + row * ROW_HEIGHT + ROW_HEIGHT / 2
        if figure.value is not None:
            # A bar only where the axis starts at zero; a dot on a log scale.
            shape = "point" if log else "bar"
            x1 = x2 = scale(figure.value)
        elif figure.lower is not None and figure.upper is not None:
            shape, x1, x2 = "range", scale(figure.lower), scale(figure.upper)
        elif figure.upper is not None:
            shape, x1, x2 = "upper", LABEL_WIDTH, scale(figure.upper)
        else:
            shape, x1, x2 = "lower", scale(figure.lower), PLOT_RIGHT
        mark = Mark(
            short(label(figure)),
            figure.display_value(),
            shape,
            round(x1, 1),
            round(x2, 1),
            round(y, 1),
            figure,
        )
        # The figure in words beside its mark, or above it where the plot's
        # right edge leaves no room.
        if x2 + 10 + 7 * len(mark.text) < WIDTH:
            mark.text_x, mark.text_y = round(x2 + 10, 1), round(y + 4, 1)
            mark.text_anchor = "start"
        else:
            mark.text_x, mark.text_y = round(x2 - 4, 1), round(y - 7, 1)
            mark.text_anchor = "end"
        marks.append(mark)
    unit = "%" if percent else ""
    ticks = [
        Tick(round(scale(v) if v else LABEL_WIDTH, 1), f"{_tick(v)}{unit}")
        for v in tick_values
    ]
    height = TOP + len(figures) * ROW_HEIGHT + 40
    description = "; ".join(f"{m.label}: {m.text}" for m in marks)
    if log:
        description += ". Logarithmic scale: each gridline is ten times the last."
    return Chart(title, description, marks, ticks, height, log)


def short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "\u2026"


def numbered(charts: list[Chart], prefix: str = "chart") -> list[Chart]:
    """Give each chart of a page its own element id."""
    for number, chart in enumerate(charts, 1):
        chart.dom_id = f"{prefix}-{number}"
    return charts


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _tick(value: float) -> str:
    if value >= 1_000_000 and value % 1_000_000 == 0:
        return f"{int(value // 1_000_000)}M"
    if value >= 1000 and value % 1000 == 0:
        return f"{int(value // 1000):,}k"
    return f"{value:g}"
