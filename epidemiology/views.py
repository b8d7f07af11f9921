"""HTML pages of epidemiology figures and studies."""

from collections import defaultdict

from epidemiology.charts import MIN_MARKS, disease_label, numbered, range_chart
from epidemiology.disagreements import disagreements
from epidemiology.filtersets import FigureFilterSet
from epidemiology.models import Figure, Study
from kbframework.citations import CitationIndex
from kbframework.views import KBDetailView, KBFilterView

MAX_CHART_ROWS = 25


class FigureListView(KBFilterView):
    """Every figure, filterable, with charts of the figures shown."""

    model = Figure
    filterset_class = FigureFilterSet
    template_name = "epidemiology/figure_list.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = list(context["object_list"])  # this page's figures
        context["refs"] = CitationIndex()
        context["charts"] = numbered(charts_for(figures))
        context["disagreements"] = disagreements(figures)
        return context


def charts_for(figures: list[Figure]) -> list:
    """One chart per study, and one per measure and region for the rest, each
    of one unit and with at least two marks (a single figure is in the table)."""
    groups = defaultdict(list)
    for figure in figures:
        if figure.study_id:
            key = (0, figure.study.name)
        else:
            key = (1, figure.measure, figure.region)
        groups[key].append(figure)
    charts = []
    for key, rows in sorted(groups.items()):
        if len(rows) > MAX_CHART_ROWS:
            continue  # too many to read as a chart: the table has them
        for unit in sorted({row.unit for row in rows}):
            of_unit = [row for row in rows if row.unit == unit]
            if len(of_unit) < MIN_MARKS:
                continue
            of_unit.sort(key=lambda f: -(f.value or f.upper or f.lower))
            title = key[1] if key[0] == 0 else chart_title(of_unit)
            labels = row_labels(of_unit, disease_lines(of_unit))
            charts.append(range_chart(of_unit, title=title, labels=labels))
    return charts


class StudyDetailView(KBDetailView):
    model = Study
    template_name = "epidemiology/study_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = sorted(
            self.object.figures.all(), key=lambda f: -(f.value or f.upper or 0)
        )
        context["figures"] = figures
        context["chart"] = (
            range_chart(figures, title=self.object.name)
            if len(figures) >= MIN_MARKS
            else None
        )
        return context


REGION_SHORT = {Figure.Region.GB: "UK"}


def chart_title(figures: list[Figure]) -> str:
    """The measure, and the population and region when every figure of the
    chart shares them ("region not stated" when none states one)."""
    title = figures[0].get_measure_display().capitalize()
    populations = {f.population for f in figures}
    if len(populations) == 1 and Figure.Population.GENERAL not in populations:
        title += f", {figures[0].get_population_display()}"
    regions = {f.region for f in figures}
    if regions == {Figure.Region.UNSPECIFIED}:
        title += ", region not stated"
    elif len(regions) == 1:
        title += f", {figures[0].get_region_display()}"
    return title


def population_and_region(figure) -> str:
    """'Adults, UK', 'General population, region not stated'."""
    population = figure.get_population_display().capitalize()
    if figure.region == Figure.Region.UNSPECIFIED:
        return f"{population}, region not stated"
    region = REGION_SHORT.get(figure.region, figure.get_region_display())
    return f"{population}, {region}"


def source_name(figure) -> str:
    """The titles of the figure's sources, each cut short at a word."""
    titles = dict.fromkeys(c.source.title for c in figure.citations.all())
    return "; ".join(short_words(title, 26) for title in titles)


def section_name(figure) -> str:
    """The sections a figure's sources state it in, without the disease's
    name that the source's summary sections repeat ("Disease Summary: ...")."""
    sections = dict.fromkeys(
        c.section.split(":")[0].strip() for c in figure.citations.all()
    )
    return "section " + "; ".join(f"\u201c{s}\u201d" for s in sections)


def short_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def disease_lines(figures: list[Figure]) -> list[list[str]]:
    """Rows of the overview's charts: the disease, and its population when the
    chart's figures are of more than one."""
    mixed = len({f.population for f in figures}) > 1
    return [
        [disease_label(f)]
        + ([f.get_population_display().capitalize()] if mixed else [])
        for f in figures
    ]


def row_labels(figures: list[Figure], lines: list[list[str]]) -> list[list[str]]:
    """Add the source, and then its section, to each row whose label would
    otherwise read the same as another's."""
    for more in (source_name, section_name):
        seen = defaultdict(list)
        for i, row in enumerate(lines):
            seen[tuple(row)].append(i)
        for rows in seen.values():
            if len(rows) > 1:
                for i in rows:
                    if more(figures[i]) not in lines[i]:
                        lines[i] = [*lines[i], more(figures[i])]
    return lines


def disease_figures(disease, request) -> dict:
    """The context of a disease page's epidemiology section: its figures,
    where they disagree, and a chart for each measure and unit with at least
    two figures, its rows named by population, region and source."""
    figures = sorted(disease.figures.all(), key=lambda f: (f.measure, f.region, f.slug))
    by_measure = defaultdict(list)
    for figure in figures:
        by_measure[(figure.measure, figure.unit)].append(figure)
    charts = []
    for rows in by_measure.values():
        if len(rows) < MIN_MARKS:
            continue
        base = [[population_and_region(f), source_name(f)] for f in rows]
        labels = row_labels(rows, base)
        charts.append(range_chart(rows, title=chart_title(rows), labels=labels))
    return {
        "figures": figures,
        "disagreements": disagreements(figures),
        "charts": numbered(charts),
    }
