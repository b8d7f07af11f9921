"""The charts of figures (epidemiology/charts.py): where they are drawn, how
their rows are named, and that no text sits on a mark, on another text or off
the chart, in either layout."""

import re
from decimal import Decimal

import pytest

from epidemiology.charts import LAYOUTS, range_chart
from epidemiology.models import Figure
from epidemiology.views import charts_for, disease_figures

PEOPLE, PERCENT = Figure.Unit.PEOPLE, Figure.Unit.PERCENT


def figure(value=None, lower=None, upper=None, unit=PEOPLE, qualifier=""):
    """An unsaved figure: enough for a chart, no database needed."""
    numbers = {
        key: Decimal(str(n))
        for key, n in (("value", value), ("lower", lower), ("upper", upper))
        if n is not None
    }
    return Figure(unit=unit, qualifier=qualifier, **numbers)


# Sets of figures that crowd a chart's right edge, its left edge, or both.
CROWDED = {
    "bars up to the edge": [
        figure(100, unit=PERCENT, qualifier="approximately"),
        figure(99.5, unit=PERCENT, qualifier="estimated"),
        figure(0.1, unit=PERCENT),
    ],
    "bounds at both ends": [
        figure(lower=1_000_000, qualifier="more-than"),
        figure(upper=10_000_000, qualifier="up-to"),
        figure(upper=1000, qualifier="up-to"),
        figure(700_000, qualifier="roughly"),
    ],
    "points on a log scale": [
        figure(9_999_999, qualifier="approximately"),
        figure(12),
        figure(lower=3, upper=9_000_000, qualifier="estimated"),
    ],
    "one long range": [
        figure(lower=0.5, upper=99.9, unit=PERCENT, qualifier="estimated"),
        figure(50, unit=PERCENT),
    ],
    "long counts on a linear scale": [
        figure(16_000, qualifier="approximately"),
        figure(upper=50_000, qualifier="up-to"),
        figure(49_999, qualifier="approximately"),
    ],
}
LONG_LABELS = [
    "Adults, region not stated",
    "A label far too long for the column beside the plot of the chart",
]


@pytest.mark.parametrize("name", CROWDED)
@pytest.mark.parametrize("lines", [1, 2])
def test_no_text_sits_on_a_mark_or_another_text(name, lines):
    """In the wide and the narrow layout alike, every value, row label and tick
    label keeps off every mark and every other text, inside the viewBox."""
    figures = CROWDED[name]
    labels = [LONG_LABELS[:lines] for _ in figures]
    chart = range_chart(figures, title=name, labels=labels)
    assert [view.name for view in chart.views] == [layout.name for layout in LAYOUTS]
    for view in chart.views:
        assert view.overlaps() == [], view.name
        assert all(mark.value.text for mark in view.marks)


def test_a_value_goes_beside_its_mark_where_there_is_room():
    """A short bar's value is to its right, on its line; a bar that reaches
    the plot's right edge has its value above it, clear of the bar."""
    chart = range_chart(
        [figure(100, unit=PERCENT, qualifier="approximately"), figure(2, unit=PERCENT)],
        title="t",
        labels=[["full"], ["short"]],
    )
    wide = chart.views[0]
    full, short = wide.marks
    assert short.value.anchor == "start" and short.value.x > short.x1
    assert abs(short.value.y - short.y) < short.value.size
    assert full.value.box()[3] <= full.top


def test_overlaps_finds_a_value_drawn_on_its_bar():
    """The check itself: a value moved onto its bar is reported."""
    figures = [figure(50, unit=PERCENT), figure(20, unit=PERCENT)]
    chart = range_chart(figures, "t", labels=[["a"], ["b"]])
    view = chart.views[0]
    bar = view.marks[0]
    bar.value.x, bar.value.y, bar.value.anchor = bar.x1 - 2, bar.y + 4, "end"
    assert any("on the mark" in problem for problem in view.overlaps())


def test_every_chart_of_the_knowledge_base_is_clear(kb):
    """The overview's charts and every disease page's charts: no overlaps."""
    figures = list(Figure.objects.all())
    charts = charts_for(figures)
    for disease in {f.disease for f in figures}:
        charts += disease_figures(disease, None)["charts"]
    assert charts
    for chart in charts:
        for view in chart.views:
            assert view.overlaps() == [], chart.title


def test_a_disease_chart_names_its_rows_by_population_region_and_source(kb):
    """Lupus's two UK counts: one chart, rows named by population, region and
    source (and the section, which alone would tell nothing), a title without
    "not stated"."""
    from diseases.models import Disease

    lupus = Disease.objects.get(slug="systemic-lupus-erythematosus")
    (chart,) = disease_figures(lupus, None)["charts"]
    assert chart.title == "People affected (count), United Kingdom"
    rows = [[label.text for label in mark.labels] for mark in chart.marks]
    assert all(row[0] == "General population, UK" for row in rows)
    assert all(row[1].startswith("What are immune-mediated") for row in rows)
    assert {row[2] for row in rows} == {
        "section \u201cIntroduction\u201d",
        "section \u201cDisease Summary\u201d",
    }


def test_a_single_figure_gets_no_chart(kb):
    """Rheumatoid arthritis has one figure of each measure: the table has them,
    and there is no chart (nor a legend)."""
    from diseases.models import Disease

    ra = Disease.objects.get(slug="rheumatoid-arthritis")
    assert disease_figures(ra, None)["charts"] == []
    one = [Figure.objects.get(slug="pbc-gb-count")]
    assert charts_for(one) == []


def test_no_chart_title_says_not_stated(kb):
    titles = [chart.title for chart in charts_for(list(Figure.objects.all()))]
    assert "Share of people affected, region not stated" in titles
    assert not [t for t in titles if re.search(r"(?<!region) not stated", t)]


def test_one_legend_per_page_in_the_same_words(kb, client):
    """The overview, a study and a disease page each say once how to read the
    charts, in the same words; a page without a chart does not."""
    legends = []
    for url in (
        "/epidemiology/",
        "/epidemiology/studies/imid-new-cases-split-2019/",
        "/diseases/systemic-lupus-erythematosus/",
    ):
        html = client.get(url).content.decode()
        assert html.count('class="chart-legend"') == 1, url
        assert html.count("a dashed line ending in a bracket") == 1, url
        start = html.index('class="chart-legend"')
        legends.append(html[start : html.index("</div>", start)])
    assert len(set(legends)) == 1
    html = client.get("/diseases/rheumatoid-arthritis/").content.decode()
    assert "chart-legend" not in html and "<svg" not in html
