"""What the curated knowledge base must hold, checked on the loaded fixtures."""

import csv
import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from diseases.models import Disease, DiseaseMembership, DiseaseSymptom
from epidemiology.models import Figure
from kbframework.fixtures import fixture_dir
from kbframework.models import Citation, Source, Status
from kbframework.registry import registry
from treatments.models import Drug, DrugClass

pytestmark = pytest.mark.django_db

SHARED = Path(settings.BASE_DIR).parent / "shared"
SOURCES = SHARED / "sources"
XREFS = SHARED / "reference" / "xrefs.tsv"
needs_shared = pytest.mark.skipif(
    not SOURCES.is_dir() or not XREFS.is_file(),
    reason="../shared/ (source texts and reference table) is not beside the clone",
)


def cited_models():
    for _filename, labels in registry.fixture_file_pairs():
        for label in labels:
            model = apps.get_model(label)
            if any(f.name == "citations" for f in model._meta.many_to_many):
                yield model


def test_every_record_and_link_cites_a_source(kb):
    """Nothing in the knowledge base lacks a citation."""
    for model in cited_models():
        uncited = model._default_manager.filter(citations__isnull=True)
        assert not uncited.exists(), f"{model._meta.label}: {list(uncited)}"


def test_everything_curated_is_published(kb):
    """The fixtures hold reviewed, published records only."""
    for model in cited_models():
        if any(f.name == "status" for f in model._meta.fields):
            assert not model._default_manager.exclude(status=Status.PUBLISHED).exists()


def test_every_citation_names_a_real_section_of_its_source(kb):
    for citation in Citation.objects.select_related("source"):
        assert citation.section in citation.source.sections, citation


def test_kbstats_reports_zero_records_without_a_citation(kb):
    out = StringIO()
    call_command("kbstats", "--strict", stdout=out)
    text = out.getvalue()
    assert "Records without a citation: 0" in text
    assert re.search(r"diseases\.Disease\s+\d+", text)
    # Axial spondyloarthritis deliberately has no identifier (see reference README).
    assert "axial-spondyloarthritis" in text.split("without an identifier")[1]


def test_the_five_source_texts_are_sources(kb):
    texts = Source.objects.exclude(kind=Source.Kind.REFERENCE_SET)
    assert texts.count() == 5
    assert set(texts.values_list("publisher", flat=True)) >= {
        "IMID-Bio-UK research consortium",
        "WikiMD",
        "askvity",
    }


def test_lupus_keeps_both_disagreeing_uk_figures_with_their_sections(kb):
    """The page gives "up to 50,000" and "approximately 16,000": both are kept."""
    figures = Figure.objects.filter(
        disease__slug="systemic-lupus-erythematosus",
        region="GB",
        measure=Figure.Measure.PREVALENCE_COUNT,
    )
    shown = {f.display_value(): [c.section for c in f.citations.all()] for f in figures}
    assert shown == {
        "up to 50,000 people": ["Introduction"],
        "approximately 16,000 people": [
            "Disease Summary: Systemic Lupus Erythematosus"
        ],
    }
    assert set(
        Figure.objects.disagreeing().filter(
            disease__slug="systemic-lupus-erythematosus"
        )
    ) == set(figures)


@pytest.mark.parametrize(
    ("slug", "value", "lower", "upper", "qualifier"),
    [
        ("pbc-gb-count", None, None, "20000", "up-to"),
        ("aih-gb-count", None, None, "10000", "up-to"),
        ("psoriasis-gb-count", None, "1000000", None, "more-than"),
        ("ra-gb-count-introduction", "700000", None, None, "roughly"),
        ("ra-adult-share", "1", None, None, "approximately"),
        ("imid-population-share-estimate", None, "3", "7", "estimated"),
    ],
)
def test_figures_keep_bounds_and_qualifiers_as_stated(
    kb, slug, value, lower, upper, qualifier
):
    figure = Figure.objects.get(slug=slug)
    as_decimal = lambda text: None if text is None else Decimal(text)  # noqa: E731
    assert (figure.value, figure.lower, figure.upper, figure.qualifier) == (
        as_decimal(value),
        as_decimal(lower),
        as_decimal(upper),
        qualifier,
    )


def test_the_2019_study_reports_six_shares_of_new_cases(kb):
    figures = Figure.objects.filter(study__slug="imid-new-cases-split-2019")
    shares = {f.disease.slug: f.value for f in figures}
    assert shares == {
        "asthma": Decimal("55"),
        "atopic-eczema": Decimal("36"),
        "psoriasis": Decimal("7"),
        "rheumatoid-arthritis": Decimal("2"),
        "inflammatory-bowel-disease": Decimal("0.7"),
        "multiple-sclerosis": Decimal("0.1"),
    }
    # 2019 dates the study; the text does not say which years the cases are from.
    assert {f.year for f in figures} == {None}
    assert figures.first().study.year == 2019


def test_hierarchy_is_explicit(kb):
    """IBD includes Crohn's disease and UC; the IMID group is a record."""
    ibd = Disease.objects.get(slug="inflammatory-bowel-disease")
    assert ibd.kind == Disease.Kind.GROUP
    assert set(ibd.members.values_list("slug", flat=True)) == {
        "crohns-disease",
        "ulcerative-colitis",
    }
    imid = Disease.objects.get(slug="imid")
    members = set(imid.members.values_list("slug", flat=True))
    assert {
        "asthma",
        "axial-spondyloarthritis",
        "crohns-disease",
        "type-1-diabetes",
        "inflammatory-bowel-disease",
        "multiple-sclerosis",
        "primary-biliary-cholangitis",
        "psoriasis",
        "psoriatic-arthritis",
        "rheumatoid-arthritis",
        "systemic-lupus-erythematosus",
        "ulcerative-colitis",
        "sjogrens-syndrome",
        "autoimmune-hepatitis",
    } <= members
    assert DiseaseMembership.objects.filter(member__slug="crohns-disease").count() == 2


def test_group_facts_stay_on_the_group(kb):
    """Fatigue is stated for the IMID group, not copied onto each member."""
    fatigue = DiseaseSymptom.objects.get(disease__slug="imid", symptom__slug="fatigue")
    assert fatigue.frequency == "very-common"
    assert not DiseaseSymptom.objects.filter(
        disease__slug="asthma", symptom__slug="fatigue"
    ).exists()


@pytest.mark.parametrize(
    ("slug", "names"),
    [
        ("rheumatoid-arthritis", {"RA"}),
        ("systemic-lupus-erythematosus", {"SLE", "lupus"}),
        ("crohns-disease", {"CD"}),
        ("ulcerative-colitis", {"UC"}),
        ("inflammatory-bowel-disease", {"IBD"}),
        ("primary-biliary-cholangitis", {"PBC", "primary biliary cirrhosis"}),
        ("sjogrens-syndrome", {"pSS", "Sjögren's syndrome"}),
        ("multiple-sclerosis", {"MS"}),
        # No text and no reference label uses "T1D" (issue 14): the synonyms are
        # the encyclopedia's and the reference table's names.
        ("type-1-diabetes", {"diabetes type 1", "type 1 diabetes mellitus"}),
    ],
)
def test_names_abbreviations_and_older_names(kb, slug, names):
    disease = Disease.objects.get(slug=slug)
    assert names <= {*disease.abbreviations, *disease.synonyms, *disease.former_names}


def test_imids_and_imids_are_kept_apart(kb):
    """IMiDs (immunomodulatory drugs) is a drug class, IMIDs the disease group."""
    assert "IMiDs" in DrugClass.objects.get(slug="immunomodulators").abbreviations
    assert "IMIDs" in Disease.objects.get(slug="imid").abbreviations


def test_drug_class_hierarchy_and_research_status(kb):
    tnf = DrugClass.objects.get(slug="tnf-inhibitors")
    assert tnf.parent.slug == "biologics"
    # The text files biologics under no wider class and gives them no direction
    # of effect (issue 14): they are not placed under immunosuppressants.
    assert tnf.parent.parent is None
    for slug in ("stem-cell-therapy", "car-t-cell-therapy"):
        klass = DrugClass.objects.get(slug=slug)
        assert klass.development == DrugClass.Development.INVESTIGATIONAL
        assert klass.modality == DrugClass.Modality.CELL_THERAPY
    assert "cyclosporine" in Drug.objects.get(slug="ciclosporin").synonyms


def test_systemic_immunosuppressants_prefer_their_l04_atc_code(kb):
    for slug in (
        "ciclosporin",
        "tacrolimus",
        "sirolimus",
        "everolimus",
        "methotrexate",
    ):
        preferred = Drug.objects.get(slug=slug).xrefs.get(system="ATC", preferred=True)
        assert preferred.identifier.startswith("ATC:L04"), slug


@needs_shared
def test_every_identifier_comes_from_the_verified_reference_table(kb):
    """Never an identifier from memory: each one is a row of xrefs.tsv."""
    with XREFS.open(encoding="utf-8") as handle:
        verified = {row["identifier"] for row in csv.DictReader(handle, delimiter="\t")}
    used = set()
    for label in (
        "diseases.diseasexref",
        "treatments.drugclassxref",
        "treatments.drugxref",
    ):
        used |= set(apps.get_model(label).objects.values_list("identifier", flat=True))
    used |= set(
        apps.get_model("diseases.symptom")
        .objects.exclude(hpo_id="")
        .values_list("hpo_id", flat=True)
    )
    assert used - verified == set()


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


RUN = 8
PROSE_KEYS = {
    "summary",
    "description",
    "note",
    "course_notes",
    "diagnosis_notes",
    "mechanism_of_action",
    "preferred_reason",
}


def prose_in_fixtures():
    for filename, _labels in registry.fixture_file_pairs():
        for record in json.loads(
            (fixture_dir() / filename).read_text(encoding="utf-8")
        ):
            for key, value in record["fields"].items():
                if key in PROSE_KEYS and value:
                    yield f"{filename}:{record['fields'].get('slug', key)}", value


def prose_in_templates():
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        yield str(path), re.sub(r"{[{%].*?[%}]}", " ", path.read_text(encoding="utf-8"))


@needs_shared
def test_no_sentence_of_the_sources_is_copied():
    """No run of eight words from a source text appears in our prose."""
    runs = {}
    for path in sorted(SOURCES.glob("*.txt")):
        w = words(path.read_text(encoding="utf-8", errors="ignore"))
        for i in range(len(w) - RUN + 1):
            runs.setdefault(" ".join(w[i : i + RUN]), path.name)
    copied = []
    for where, text in [*prose_in_fixtures(), *prose_in_templates()]:
        w = words(text)
        copied += [
            (where, " ".join(w[i : i + RUN]))
            for i in range(len(w) - RUN + 1)
            if " ".join(w[i : i + RUN]) in runs
        ]
    assert copied == []
