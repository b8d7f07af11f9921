"""Server-rendered SVG charts of figures, drawn so that a bound reads as a
bound: "up to 50,000" is a bracket reaching to 50,000 from the left edge,
"more than 1,000,000" an arrow running on from 1,000,000, a range a segment,
and only a point value is a dot (or a bar, on a scale that starts at zero).

Every chart is laid out twice, in viewBox units: `WIDE` (row labels in a
column left of the plot) and `NARROW` (each row's label on its own line above
its mark, in a larger font), and the stylesheet shows the one that fits the
chart's box, so a chart on a phone scales down without its text shrinking
below reading size. Each text's position is computed here, with an estimate of
its width that errs on the wide side, so that no text sits on a mark, on
another text or outside the viewBox (`Chart.overlaps` checks it, and the tests
call it). How to read the marks is said once per page, by
templates/imidkb/includes/chart_legend.html.
"""

import itertools
import math
from dataclasses import dataclass, field

CHAR_EM = 0.62  # a character's advance, in ems, a little over a bold sans's mean
GAP = 6  # between a mark and its value
MARK_HALF = 9  # half a mark's height: a bar is 18 tall, caps 16
MIN_MARKS = 2  # fewer marks add nothing to the table beside them


@dataclass(frozen=True)
class Layout:
    """One way to lay a chart out, in viewBox units."""

    name: str
    width: int
    labels_above: bool  # each row label on a line of its own above the mark
    label_size: int
    value_size: int
    tick_size: int
    margin: int
    right: int  # the plot's right edge, from the viewBox's right edge
    label_column: tuple[int, int] = (0, 0)  # (least, most) width of a label column


WIDE = Layout("wide", 560, False, 13, 12, 12, 6, 20, label_column=(90, 250))
NARROW = Layout("narrow", 360, True, 15, 14, 13, 4, 12)
LAYOUTS = (WIDE, NARROW)


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_EM


@dataclass
class Text:
    """One line of text; (x, y) is its anchor point on the baseline."""

    x: float
    y: float
    text: str
    size: int
    anchor: str = "start"  # start, middle, end

    def box(self) -> tuple[float, float, float, float]:
        width = text_width(self.text, self.size)
        left = {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}
        x0 = left[self.anchor]
        return (x0, self.y - self.size * 0.8, x0 + width, self.y + self.size * 0.25)


@dataclass
class Mark:
    """One figure's mark in one layout: its shape and where its texts go."""

    shape: str  # bar (value on a linear scale from 0), point, upper, lower, range
    x1: float
    x2: float
    y: float
    plot_left: float
    labels: list[Text]
    value: Text | None = None
    figure: object = None

    @property
    def bar_width(self) -> float:
        return round(max(self.x1 - self.plot_left, 1.5), 1)

    @property
    def top(self) -> float:
        return round(self.y - MARK_HALF, 1)

    @property
    def cap_top(self) -> float:
        return round(self.y - 8, 1)

    @property
    def cap_bottom(self) -> float:
        return round(self.y + 8, 1)

    def _points(self, *offsets: tuple[float, float]) -> str:
        return " ".join(f"{x:g},{y:g}" for x, y in offsets)

    @property
    def bracket(self) -> str:
        """The bracket at a bound: opening left at an upper bound, right at a
        lower bound."""
        x = self.x2 if self.shape == "upper" else self.x1
        tip = x - 6 if self.shape == "upper" else x + 6
        return self._points(
            (tip, self.cap_top),
            (x, self.cap_top),
            (x, self.cap_bottom),
            (tip, self.cap_bottom),
        )

    @property
    def arrow(self) -> str:
        """The arrowhead: pointing right at the end of a lower bound's line,
        left (down a log scale) at the start of an upper bound's."""
        y = self.y
        if self.shape == "upper":
            x = self.x1
            return self._points((x + 9, y - 6), (x, y), (x + 9, y + 6))
        x = self.x2
        return self._points((x - 9, y - 6), (x, y), (x - 9, y + 6))

    def box(self) -> tuple[float, float, float, float]:
        if self.shape == "point":
            return (self.x1 - 6, self.y - 6, self.x1 + 6, self.y + 6)
        left = self.plot_left if self.shape in ("bar", "upper") else self.x1
        right = self.x1 if self.shape == "bar" else self.x2
        return (left, self.y - MARK_HALF, right, self.y + MARK_HALF)


@dataclass
class ChartView:
    """A chart laid out for one width (see LAYOUTS)."""

    layout: Layout
    marks: list[Mark]
    ticks: list["Tick"]
    height: float
    plot_left: float
    plot_right: float
    axis_y: float

    @property
    def width(self) -> int:
        return self.layout.width

    @property
    def name(self) -> str:
        return self.layout.name

    def texts(self) -> list[Text]:
        texts = [tick.text for tick in self.ticks if tick.text]
        for mark in self.marks:
            texts += mark.labels + ([mark.value] if mark.value else [])
        return texts

    def overlaps(self) -> list[str]:
        """Every text that sits on a mark, on another text or off the viewBox
        (none, when the layout works)."""
        problems = []
        texts = self.texts()
        for text in texts:
            x0, y0, x1, y1 = text.box()
            if x0 < 0 or y0 < 0 or x1 > self.width or y1 > self.height:
                problems.append(f"{self.name}: {text.text!r} leaves the viewBox")
            problems += [
                f"{self.name}: {text.text!r} on the mark of {mark.labels[0].text!r}"
                for mark in self.marks
                if _intersect(text.box(), mark.box())
            ]
        for i, text in enumerate(texts):
            problems += [
                f"{self.name}: {text.text!r} on {other.text!r}"
                for other in texts[i + 1 :]
                if _intersect(text.box(), other.box())
            ]
        return problems


@dataclass
class Tick:
    x: float
    text: Text | None


@dataclass
class Chart:
    title: str
    description: str
    log: bool
    views: list[ChartView] = field(default_factory=list)
    dom_id: str = "chart"

    @property
    def marks(self) -> list[Mark]:
        """The marks of the first (wide) layout: one per figure, in order."""
        return self.views[0].marks


def disease_label(figure) -> str:
    """The figure's disease, by abbreviation when its name is long."""
    disease = figure.disease
    if len(disease.name) > 28 and disease.abbreviations:
        return disease.abbreviations[-1]
    return disease.name


def range_chart(figures: list, title: str, labels: list | None = None) -> Chart:
    """Counts (log scale when they span orders of magnitude) or percentages
    (linear). `figures` are epidemiology figures of one unit; `labels` gives
    each figure's row label, one or two lines (a list of strings), in the
    figures' order (by default, the figure's disease)."""
    if labels is None:
        labels = [[disease_label(figure)] for figure in figures]
    labels = [[line] if isinstance(line, str) else list(line) for line in labels]
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

    unit = "%" if percent else ""
    tick_labels = [f"{_tick(v)}{unit}" for v in tick_values]
    views = [
        _lay_out(layout, figures, labels, position, log, tick_values, tick_labels)
        for layout in LAYOUTS
    ]
    description = "; ".join(
        f"{', '.join(lines)}: {figure.display_value()}"
        for figure, lines in zip(figures, labels, strict=True)
    )
    if log:
        description += ". Logarithmic scale: each gridline is ten times the last."
    return Chart(title, description, log, views)


def _lay_out(layout, figures, labels, position, log, tick_values, tick_labels):
    """Place every mark and text of a chart for one layout, row by row."""
    line = round(layout.label_size * 1.25)
    if layout.labels_above:
        plot_left = layout.margin + 8
        most = (layout.width - 2 * layout.margin) / (layout.label_size * CHAR_EM)
    else:
        least, widest = layout.label_column
        longest = max(len(text) for lines in labels for text in lines)
        column = longest * layout.label_size * CHAR_EM + 10
        plot_left = layout.margin + min(max(column, least), widest)
        most = (plot_left - layout.margin - 10) / (layout.label_size * CHAR_EM) + 1e-6
    plot_right = layout.width - layout.right
    labels = [[short(text, int(most)) for text in lines] for lines in labels]

    def scale(value) -> float:
        return round(plot_left + (plot_right - plot_left) * position(value), 1)

    marks, top = [], 8.0
    for figure, lines in zip(figures, labels, strict=True):
        if figure.value is not None:
            # A bar only where the axis starts at zero; a dot on a log scale.
            shape = "point" if log else "bar"
            x1 = x2 = scale(figure.value)
        elif figure.lower is not None and figure.upper is not None:
            shape, x1, x2 = "range", scale(figure.lower), scale(figure.upper)
        elif figure.upper is not None:
            shape, x1, x2 = "upper", plot_left, scale(figure.upper)
        else:
            shape, x1, x2 = "lower", scale(figure.lower), plot_right
        mark = Mark(shape, x1, x2, 0, plot_left, [], figure=figure)
        value = figure.display_value()
        if layout.labels_above:
            top = _row_above(layout, mark, lines, value, top, line)
        else:
            top = _row_beside(layout, mark, lines, value, top, line)
        marks.append(mark)
    axis_y = round(top + 4, 1)
    ticks = _ticks(layout, [scale(v) for v in tick_values], tick_labels, axis_y)
    return ChartView(
        layout,
        marks,
        ticks,
        height=math.ceil(axis_y + layout.tick_size + 10),
        plot_left=plot_left,
        plot_right=plot_right,
        axis_y=axis_y,
    )


def _row_beside(layout, mark, lines, value, top, line) -> float:
    """A row with its label left of the plot; returns the next row's top."""
    size = layout.value_size
    above = not _value_beside(layout, mark, value, 0)
    extra = size + 4 if above else 0  # a line above the mark for the value
    height = max(2 * MARK_HALF, len(lines) * line) + 12 + extra
    mark.y = round(top + extra + (height - extra) / 2, 1)
    first = mark.y - (len(lines) * line) / 2 + layout.label_size * 0.8
    x = mark.plot_left - 8
    mark.labels = [
        Text(x, round(first + i * line, 1), text, layout.label_size, "end")
        for i, text in enumerate(lines)
    ]
    if above:
        y = round(mark.y - MARK_HALF - 4, 1)
        x1 = mark.box()[2]
        if x1 - text_width(value, size) >= mark.plot_left:
            mark.value = Text(x1, y, value, size, "end")
        else:
            mark.value = Text(mark.plot_left, y, value, size)
    else:
        _value_beside(layout, mark, value, mark.y)
    return top + height


def _row_above(layout, mark, lines, value, top, line) -> float:
    """A row with its label on the lines above its mark; returns the next
    row's top."""
    size = layout.value_size
    mark.labels = [
        Text(
            layout.margin,
            round(top + layout.label_size * 0.9 + i * line, 1),
            text,
            layout.label_size,
        )
        for i, text in enumerate(lines)
    ]
    mark.y = round(top + len(lines) * line + 4 + MARK_HALF, 1)
    bottom = mark.y + MARK_HALF + 14
    if not _value_beside(layout, mark, value, mark.y):
        last = mark.labels[-1]
        after_label = last.box()[2] + 2 * GAP
        right = layout.width - layout.margin
        if after_label + text_width(value, size) <= right:
            mark.value = Text(right, last.y, value, size, "end")
        else:  # a line of its own below the mark
            y = round(mark.y + MARK_HALF + 4 + size * 0.8, 1)
            mark.value = Text(layout.margin, y, value, size)
            bottom = y + size * 0.25 + 14
    return bottom


def _value_beside(layout, mark, value, y) -> bool:
    """Put the value right of its mark, or else left of it, on the mark's
    line, where it fits; say whether it did."""
    width = text_width(value, layout.value_size)
    x0, _, x1, _ = mark.box()
    baseline = round(y + layout.value_size * 0.3, 1)
    if x1 + GAP + width <= layout.width - 2:
        mark.value = Text(round(x1 + GAP, 1), baseline, value, layout.value_size)
        return True
    if x0 - GAP - width >= mark.plot_left:
        mark.value = Text(round(x0 - GAP, 1), baseline, value, layout.value_size, "end")
        return True
    return False


def _ticks(layout, xs, labels, axis_y) -> list[Tick]:
    """Gridlines at every tick; their labels thinned (every second, third...)
    until no two touch, and kept inside the viewBox."""
    y = round(axis_y + layout.tick_size + 4, 1)
    for every in range(1, len(xs) + 1):
        texts = []
        for i, (x, text) in enumerate(zip(xs, labels, strict=True)):
            if i % every:
                texts.append(None)
                continue
            half = text_width(text, layout.tick_size) / 2
            anchor = "middle"
            if x - half < 1:
                anchor = "start"
            elif x + half > layout.width - 1:
                anchor = "end"
            texts.append(Text(x, y, text, layout.tick_size, anchor))
        shown = [t for t in texts if t]
        if all(a.box()[2] + 4 <= b.box()[0] for a, b in itertools.pairwise(shown)):
            break
    return [Tick(x, text) for x, text in zip(xs, texts, strict=True)]


def short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "\u2026"


def numbered(charts: list[Chart], prefix: str = "chart") -> list[Chart]:
    """Give each chart of a page its own element id."""
    for number, chart in enumerate(charts, 1):
        chart.dom_id = f"{prefix}-{number}"
    return charts


def _intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


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
