"""HTML pages of epidemiology figures and studies."""

from collections import defaultdict

from diseases.views import KBDetailView, KBFilterView, disagreements
from epidemiology.filtersets import FigureFilterSet
from epidemiology.models import Figure, Study
from imidkb.charts import numbered, range_chart
from imidkb.pages import CitationIndex

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
