"""The search index (kbframework.search): summaries, members, identifiers
and body systems, kept right as records change."""

import pytest

from diseases.models import BodySystem, Disease, DiseaseMembership
from kbframework import search
from kbframework.models import SearchTerm, Status
from kbframework.visibility import PUBLIC, STAFF
from tests.factories import DiseaseFactory, DrugClassFactory, DrugFactory

pytestmark = pytest.mark.django_db


def found(query, visibility=PUBLIC, label=None):
    """(label, object id) -> field of the site search's hits."""
    return {
        (hit.label, hit.object_id): hit
        for hit in search.site_search(query, visibility)
        if label is None or hit.label == label
    }


def test_summary_words_match_exactly_at_the_lowest_rank(db):
    """A summary is found by its words, never by a typo of them, after every
    name; the name-only search of lists and the API ignores summaries."""
    named = DiseaseFactory(name="Quixotic arteritis", summary="Nothing to see.")
    summarised = DiseaseFactory(name="Other", summary="Resembles quixotic arteritis.")
    hits = search.site_search("quixotic arteritis", PUBLIC)
    assert [(h.object_id, h.field) for h in hits] == [
        (named.pk, "name"),
        (summarised.pk, "summary"),
    ]
    assert not found("quixotik", label="diseases.disease").get(
        ("diseases.disease", summarised.pk)
    )
    assert [h.object_id for h in search.search("quixotic arteritis")] == [named.pk]


def test_a_changed_summary_is_found_by_its_new_words_only(db):
    disease = DiseaseFactory(summary="About the pancreas.")
    assert ("diseases.disease", disease.pk) in found("pancreas")
    disease.summary = "About the thyroid."
    disease.save()
    assert ("diseases.disease", disease.pk) not in found("pancreas")
    assert found("thyroid")[("diseases.disease", disease.pk)].field == "summary"


def test_a_long_summary_is_indexed_whole(db):
    disease = DiseaseFactory(summary=" ".join(["word"] * 300) + " zebrafish")
    assert ("diseases.disease", disease.pk) in found("zebrafish")


def test_a_class_is_found_by_its_drugs_and_follows_them(db):
    """Member terms are read from the links when searching: renaming a drug
    or moving it to another class is seen at once."""
    first, second = DrugClassFactory(), DrugClassFactory()
    drug = DrugFactory(name="Zanubrutinib", drug_class=first)
    hit = found("zanubrutinib")[("treatments.drugclass", first.pk)]
    assert (hit.field, hit.text) == ("member", "Zanubrutinib")
    drug.name = "Orelabrutinib"
    drug.drug_class = second
    drug.save()
    assert not found("zanubrutinib")
    hits = found("orelabrutinib")
    assert ("treatments.drugclass", second.pk) in hits
    assert ("treatments.drugclass", first.pk) not in hits


def test_a_member_found_by_a_synonym_names_both(db):
    klass = DrugClassFactory()
    DrugFactory(name="Ciclosporinum", synonyms=["Cyclosporinum"], drug_class=klass)
    hit = found("cyclosporinum")[("treatments.drugclass", klass.pk)]
    assert (hit.text, hit.via) == ("Ciclosporinum", "Cyclosporinum")


def test_a_group_is_found_by_its_members_ranked_after_names(db):
    group = DiseaseFactory(name="Wobbly group", kind=Disease.Kind.GROUP)
    member = DiseaseFactory(name="Wobbly knees")
    DiseaseMembership.objects.create(parent=group, member=member)
    hits = search.site_search("wobbly knees", PUBLIC)
    assert [(h.object_id, h.field) for h in hits] == [
        (member.pk, "name"),
        (group.pk, "member"),
    ]
    DiseaseMembership.objects.filter(parent=group).delete()
    assert [h.object_id for h in search.site_search("wobbly knees", PUBLIC)] == [
        member.pk
    ]


def test_draft_members_find_nothing_for_the_public(db):
    klass = DrugClassFactory()
    DrugFactory(name="Secretinib", drug_class=klass, status=Status.DRAFT)
    group = DiseaseFactory(kind=Disease.Kind.GROUP)
    draft = DiseaseFactory(name="Secret itis", status=Status.DRAFT)
    DiseaseMembership.objects.create(parent=group, member=draft)
    assert ("treatments.drugclass", klass.pk) not in found("secretinib")
    assert ("diseases.disease", group.pk) not in found("secret itis")
    assert ("treatments.drugclass", klass.pk) in found("secretinib", STAFF)
    assert ("diseases.disease", group.pk) in found("secret itis", STAFF)


def test_body_systems_are_indexed_and_follow_renames(kb):
    liver = BodySystem.objects.get(slug="liver")
    assert found("liver")[("diseases.bodysystem", liver.pk)].field == "name"
    liver.name = "Hepar"
    liver.save()
    assert ("diseases.bodysystem", liver.pk) in found("hepar")
    assert ("diseases.bodysystem", liver.pk) not in found("liver")


def test_rebuilding_gives_the_same_index(kb):
    """Records saved one by one are indexed as a rebuild indexes them."""
    disease = DiseaseFactory(name="Rebuilt disease", summary="Words of its own.")
    terms = set(
        SearchTerm.objects.filter(object_id=disease.pk).values_list(
            "label", "field", "text"
        )
    )
    search.rebuild_index()
    assert terms == set(
        SearchTerm.objects.filter(object_id=disease.pk).values_list(
            "label", "field", "text"
        )
    )
    assert ("diseases.disease", "summary", "Words of its own.") in terms


@pytest.mark.parametrize(
    ("query", "forms"),
    [
        ("MONDO:0007915", {"MONDO:0007915"}),
        ("MONDO_0007915", {"MONDO:0007915"}),
        ("  mondo:0007915 ", {"MONDO:0007915"}),
        ("MONDO:7915", {"MONDO:0007915"}),
        ("http://purl.obolibrary.org/obo/MONDO_0007915", {"MONDO:0007915"}),
        ("hp:0012378", {"HP:0012378"}),
        ("ICD10:M06.9", {"ICD10:M06.9"}),
        ("m06.9", {"ICD10:M06.9", "ICD10CM:M06.9"}),
        ("M32", {"ICD10:M32", "ICD10CM:M32", "ATC:M32"}),
        ("L04AX03", {"ATC:L04AX03"}),
        ("atc:l04ax03", {"ATC:L04AX03"}),
        ("Orphanet_536", {"ORPHA:536"}),
        ("MeSH:D008180", {"MESH:D008180"}),
        ("D008180", {"MESH:D008180"}),
        ("ICD11:749596428", {"icd11.foundation:749596428"}),
        ("lupus", set()),
        ("MONDO:abc", set()),
        ("SLE", set()),
        ("Sjögren's", set()),
        ("MONDO: 0007915", set()),
        (":", set()),
    ],
)
def test_identifier_forms(query, forms):
    assert search.identifier_forms(query) == forms


def test_one_line_summaries():
    assert search.one_line("Short.") == "Short."
    long = "First sentence is here. " + "word " * 60
    assert search.one_line(long) == "First sentence is here."
    line = search.one_line("word " * 60)
    assert line.endswith("\u2026") and len(line) <= 160
