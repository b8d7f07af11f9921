"""Disease hierarchy, links and natural keys."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from diseases.models import (
    Disease,
    DiseaseMembership,
    DiseaseRelation,
    DiseaseSymptom,
    Symptom,
)
from tests.factories import DiseaseFactory, DiseaseMembershipFactory, SymptomFactory

pytestmark = pytest.mark.django_db


def test_a_group_cannot_include_itself_in_the_database():
    disease = DiseaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DiseaseMembership.objects.create(parent=disease, member=disease)


def test_a_membership_cycle_is_refused_by_validation():
    """IMID includes IBD includes Crohn's: Crohn's cannot then include IMID."""
    top = DiseaseMembershipFactory()
    lower = DiseaseMembershipFactory(parent=top.member)
    cycle = DiseaseMembership(parent=lower.member, member=top.parent)
    with pytest.raises(ValidationError, match="member of itself"):
        cycle.clean()


def test_a_disease_cannot_relate_to_itself():
    disease = DiseaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DiseaseRelation.objects.create(
            subject=disease, kind=DiseaseRelation.Kind.MAY_LEAD_TO, target=disease
        )


def test_an_hpo_id_belongs_to_one_symptom(empty_kb):
    SymptomFactory(hpo_id="HP:0012378")
    with pytest.raises(IntegrityError), transaction.atomic():
        SymptomFactory(hpo_id="HP:0012378")


def test_symptom_names_must_be_a_clean_list():
    symptom = SymptomFactory.build(synonyms=["tired", "Tired"])
    with pytest.raises(ValidationError, match="listed twice"):
        symptom.clean_fields()
    symptom.synonyms = "tired"
    with pytest.raises(ValidationError, match="list"):
        symptom.clean_fields()


def test_link_natural_key_is_made_of_its_ends():
    link = DiseaseSymptom.objects.create(
        disease=DiseaseFactory(), symptom=SymptomFactory()
    )
    key = link.natural_key()
    assert key == (link.disease.slug, link.symptom.slug)
    assert DiseaseSymptom.objects.get_by_natural_key(*key) == link


def test_published_and_restrict(empty_kb, django_user_model):
    """Anonymous readers see published records; staff also see drafts."""
    published = DiseaseFactory()
    draft = DiseaseFactory(status="draft")
    from django.contrib.auth.models import AnonymousUser

    assert set(Disease.objects.published()) == {published}
    assert set(Disease.objects.restrict(AnonymousUser())) == {published}
    staff = django_user_model.objects.create_user("ed", is_staff=True)
    assert set(Disease.objects.restrict(staff)) == {published, draft}


def test_saving_bumps_version_and_updated():
    disease = DiseaseFactory()
    version, updated = disease.version, disease.updated
    disease.summary = "Changed."
    disease.save()
    assert disease.version == version + 1
    assert disease.updated > updated


def test_for_detail_prefetches_every_link(kb, django_assert_num_queries):
    """A disease and all of its links load in a fixed number of queries."""
    # 22: the conditions it is an adverse effect of came in (#15).
    with django_assert_num_queries(22):
        disease = Disease.objects.for_detail(None).get(
            slug="systemic-lupus-erythematosus"
        )
        symptoms = [link.symptom.name for link in disease.symptom_links.all()]
        parents = [link.parent.name for link in disease.parent_links.all()]
        systems = [link.body_system.name for link in disease.body_system_links.all()]
        sources = [c.source.title for c in disease.citations.all()]
        xrefs = [x.identifier for x in disease.xrefs.all()]
        mechanisms = [m.mechanism.name for m in disease.mechanism_links.all()]
    assert "Fever" in symptoms
    assert "Immune-mediated inflammatory diseases" in parents
    assert "Kidneys" in systems
    assert sources and xrefs and mechanisms


def test_symptom_for_detail_query_count_is_constant(kb, django_assert_num_queries):
    # symptom, its citations, its disease links and their citations, the
    # classes it is an adverse effect of and their citations
    with django_assert_num_queries(6):
        symptom = Symptom.objects.for_detail(None).get(slug="fatigue")
        names = [link.disease.name for link in symptom.disease_links.all()]
        cited = [c.source.slug for c in symptom.citations.all()]
    assert len(names) >= 3 and cited
