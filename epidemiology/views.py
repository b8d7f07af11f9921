"""HTML pages of epidemiology figures and studies."""

from collections import defaultdict

from epidemiology.charts import numbered, range_chart
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
    """One chart per study, and one per measure and region for the rest."""
    groups = defaultdict(list)
    for figure in figures:
        if figure.study_id:
            key = (0, figure.study.name)
        else:
            region = figure.get_region_display()
            measure = figure.get_measure_display()
            if figure.region == Figure.Region.UNSPECIFIED:
                title = f"{measure.capitalize()}, region not stated"
            else:
                title = f"{measure.capitalize()}: {region}"
            key = (1, title)
        groups[key].append(figure)
    charts = []
    for (_order, title), rows in sorted(groups.items()):
        if len(rows) > MAX_CHART_ROWS:
            continue  # too many to read as a chart: the table has them
        units = {row.unit for row in rows}
        for unit in sorted(units):
            of_unit = [row for row in rows if row.unit == unit]
            of_unit.sort(key=lambda f: -(f.value or f.upper or f.lower))
            charts.append(range_chart(of_unit, title=title))
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
            range_chart(figures, title=self.object.name) if figures else None
        )
        return context


def chart_title(figure) -> str:
    """One chart per measure, population and region of a disease's figures."""
    title = figure.get_measure_display().capitalize()
    if figure.population != "general":
        title += f", {figure.get_population_display()}"
    return f"{title}: {figure.get_region_display()}"


def statement_label(figure) -> str:
    """Name a figure by the source section that states it."""
    sections = [
        c.section.removeprefix("Disease Summary: ") for c in figure.citations.all()
    ]
    return "; ".join(sections) or figure.slug


def disease_figures(disease, request) -> dict:
    """The context of a disease page's epidemiology section: its figures,
    where they disagree, and a chart per measure, population and region."""
    figures = sorted(disease.figures.all(), key=lambda f: (f.measure, f.region, f.slug))
    by_title = defaultdict(list)
    for figure in figures:
        by_title[chart_title(figure)].append(figure)
    return {
        "figures": figures,
        "disagreements": disagreements(figures),
        "charts": numbered(
            [
                range_chart(rows, title=title, label=statement_label)
                for title, rows in by_title.items()
            ]
        ),
    }
