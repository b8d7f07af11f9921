"""Site-wide pages: home, search, compare, sources, about, epidemiology,
drug classes and drugs."""

import re

import pytest

from tests.conftest import first_visit_queries

pytestmark = pytest.mark.django_db


def page(client, url, status=200, template=None):
    response = client.get(url)
    assert response.status_code == status, url
    if template:
        assert template in [t.name for t in response.templates]
    html = response.content.decode()
    assert html.count("<h1") == 1, url
    return html


def search_results(client, query: str) -> dict[str, list[str]]:
    html = page(client, f"/search/?q={query}", template="imidkb/search.html")
    groups = {}
    for section in re.findall(r"<section.*?</section>", html, re.S):
        title = re.search(r"<h2[^>]*>(.*?)</h2>", section).group(1)
        groups[title] = re.findall(r'<li><a href="[^"]+">(.*?)</a>', section)
    return groups


@pytest.mark.parametrize(
    ("query", "kind", "first"),
    [
        ("RA", "Diseases and conditions", "Rheumatoid arthritis"),
        ("SLE", "Diseases and conditions", "Systemic lupus erythematosus"),
        ("pSS", "Diseases and conditions", "Primary Sjögren&#x27;s syndrome"),
        ("UC", "Diseases and conditions", "Ulcerative colitis"),
        (
            "primary biliary cirrhosis",
            "Diseases and conditions",
            "Primary biliary cholangitis",
        ),
        ("Sjogren", "Diseases and conditions", "Primary Sjögren&#x27;s syndrome"),
        ("SJÖGREN", "Diseases and conditions", "Primary Sjögren&#x27;s syndrome"),
        ("lupsu", "Diseases and conditions", "Systemic lupus erythematosus"),
        ("cyclosporine", "Drugs", "Ciclosporin"),
        ("fatigue", "Symptoms", "Fatigue"),
        ("IMiDs", "Drug classes", "Immunomodulatory drugs"),
        ("risk factor", "Mechanisms and risk factors", None),
    ],
)
def test_search_finds_names_synonyms_abbreviations_and_typos(
    kb, client, query, kind, first
):
    groups = search_results(client, query)
    if first is None:
        assert kind not in groups
        return
    assert groups[kind][0] == first


def test_search_ranks_exact_matches_first_and_groups_by_kind(kb, client):
    groups = search_results(client, "arthritis")
    # Symptoms whose description mentions arthritis come in their own group.
    assert list(groups) == ["Diseases and conditions", "Symptoms"]
    assert {"Rheumatoid arthritis", "Psoriatic arthritis"} <= set(
        groups["Diseases and conditions"]
    )
    fatigue = search_results(client, "fatigue")
    assert fatigue["Symptoms"][0] == "Fatigue"
    assert "Chronic fatigue" in fatigue["Symptoms"]


def test_search_with_nothing_to_find(kb, client):
    html = page(client, "/search/?q=zzzzzz")
    assert "Nothing matches" in html
    assert page(client, "/search/")


def test_search_tolerates_hostile_input(kb, client):
    assert client.get("/search/?q=%00").status_code == 400
    for query in ("<script>alert(1)</script>", "a" * 5000, "'; DROP TABLE x;--"):
        html = page(client, f"/search/?q={query}")
        assert "<script>alert" not in html


def test_home_shows_search_kinds_and_recent_changes(kb, client):
    html = page(client, "/", template="imidkb/home.html")
    assert 'role="search"' in html
    assert "Diseases by body system" in html
    assert "Recently changed" in html
    assert "Inflammatory bowel disease" in html


def test_compare_builds_a_matrix_with_shared_items_marked(kb, client):
    html = page(
        client,
        "/compare/?d=systemic-lupus-erythematosus&d=sjogrens-syndrome"
        "&d=rheumatoid-arthritis",
        template="imidkb/compare.html",
    )
    fatigue_row = re.search(r'<tr class="shared">.*?Fatigue.*?</tr>', html, re.S)
    assert fatigue_row
    assert "approximately 16,000 people" in html
    assert "roughly 700,000 people" in html


@pytest.mark.parametrize(
    "query",
    ["d=psoriasis", "d=psoriasis&d=no-such-disease", "d=" + "&d=".join("abcdefg")],
)
def test_compare_explains_bad_choices_with_a_400(kb, client, query):
    response = client.get(f"/compare/?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_compare_refuses_more_than_six(kb, client):
    slugs = [
        "asthma",
        "psoriasis",
        "crohns-disease",
        "ulcerative-colitis",
        "multiple-sclerosis",
        "type-1-diabetes",
        "atopic-eczema",
    ]
    response = client.get("/compare/?" + "&".join(f"d={s}" for s in slugs))
    assert response.status_code == 400
    assert "from 2 to 6" in response.content.decode()


def test_epidemiology_overview_charts_and_table(kb, client):
    html = page(client, "/epidemiology/", template="epidemiology/figure_list.html")
    assert html.count("<svg") >= 2
    assert "<title" in html and "<desc" in html  # text alternative
    assert "2019 split of new IMID cases" in html
    split = html[html.index("2019 split of new IMID cases") - 4000 :]
    split = split[: split.index("</svg>")]
    assert split.count('class="mark bar"') == 6  # the 2019 split as a bar chart
    assert "Logarithmic scale" in html
    assert "The sources disagree" in html
    filtered = page(client, "/epidemiology/?region=GB")
    assert "55%" not in filtered
    assert "up to 20,000 people" in filtered


def test_epidemiology_bad_filter_shows_a_message(kb, client):
    html = page(client, "/epidemiology/?year=abc", status=400)
    assert "Some filters were not understood" in html


def test_study_page(kb, client):
    html = page(client, "/epidemiology/studies/imid-new-cases-split-2019/")
    assert "0.1%" in html and "55%" in html


def test_drug_class_page_shows_drugs_mechanism_adverse_effects_indications(kb, client):
    html = page(
        client,
        "/drug-classes/calcineurin-inhibitors/",
        template="treatments/drugclass_detail.html",
    )
    assert "Ciclosporin" in html and "Tacrolimus" in html
    assert "activation of T cells" in html
    # An ATC code as clinicians write it, under its system's name.
    assert "WHO ATC" in html and ">L04AD<" in html
    html = page(client, "/drug-classes/immunomodulators/")
    assert "Higher risk of" in html and "nausea" in html
    assert "Multiple sclerosis" in html
    html = page(client, "/drug-classes/car-t-cell-therapy/")
    assert "being researched" in html


def test_drug_pages(kb, client):
    html = page(client, "/drugs/?drug_class=mtor-inhibitors")
    assert "Sirolimus" in html and "Azathioprine" not in html
    html = page(client, "/drugs/sirolimus/")
    assert ">L04AH01<" in html and "preferred" in html


def test_sources_pages_show_what_each_source_supports(kb, client):
    page(client, "/sources/", template="imidkb/source_list.html")
    html = page(client, "/sources/imid-bio-uk/")
    assert "Disease Summary: Autoimmune Hepatitis" in html
    assert "Autoimmune hepatitis" in html
    page(client, "/sources/no-such-source/", status=404)


def test_about_says_what_the_knowledge_base_is_not(client, db):
    html = page(client, "/about/")
    assert "not medical advice" in html


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/", 6),
        ("/epidemiology/", 7),
        # + response notes, the classes above it, the drugs below it
        ("/drug-classes/immunomodulators/", 14),
        ("/drugs/", 5),
        ("/search/?q=lupus", 6),
        # + the groups of both, read with them (#15)
        ("/compare/?d=systemic-lupus-erythematosus&d=sjogrens-syndrome", 26),
        ("/sources/", 3),
    ],
)
def test_page_query_counts_are_pinned(
    kb, wsgi, django_assert_num_queries, url, queries
):
    """First request: the data version, then the page; a repeat: the data
    version only (the public response cache)."""
    with django_assert_num_queries(first_visit_queries(url, queries)):
        assert wsgi(url).status_code == 200
    with django_assert_num_queries(1):
        assert wsgi(url).status_code == 200


def test_compare_adds_a_disease_typed_by_name(kb, client):
    response = client.get("/compare/?d=systemic-lupus-erythematosus&add=Sjogren")
    assert response.status_code == 302
    assert response["Location"] == (
        "/compare/?d=systemic-lupus-erythematosus&d=sjogrens-syndrome"
    )
    missing = client.get("/compare/?d=psoriasis&add=zzzzzz")
    assert missing.status_code == 400
    assert "No disease found" in missing.content.decode()


def test_home_caps_each_body_system_list(kb, client):
    from diseases.models import BodySystem, DiseaseBodySystem
    from tests.factories import DiseaseFactory

    liver = BodySystem.objects.get(slug="liver")
    for _ in range(14):
        DiseaseBodySystem.objects.create(disease=DiseaseFactory(), body_system=liver)
    html = client.get("/").content.decode()
    assert "and 4 more" in html  # 2 curated + 14 new, 12 shown


def test_a_printed_page_names_its_address_and_day(kb, client):
    """Print output carries the page's address and the day the page was made
    (a print-only line; the print stylesheet appends no link addresses)."""
    from django.conf import settings
    from django.utils import timezone

    html = client.get("/diseases/psoriasis/").content.decode()
    line = html.split('<p class="print-meta" hidden>', 1)[1].split("</p>", 1)[0]
    assert "http://testserver/diseases/psoriasis/" in line
    assert timezone.now().strftime("%Y") in line
    css = (settings.BASE_DIR / "static" / "css" / "print.css").read_text()
    assert ".print-meta" in css
    assert "attr(href)" not in css
