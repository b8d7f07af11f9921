"""The registry knows every curated model and link kind, and what each app
adds to another's records."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models

from diseases.admin import DiseaseAdmin
from diseases.models import Disease
from kbframework.checks import every_natural_key_model_is_registered
from kbframework.models import NaturalKeyModel
from kbframework.registry import AlreadyRegistered, Registry, registry

DOMAIN_APPS = {"imidkb", "diseases", "treatments", "epidemiology"}


def test_every_natural_key_model_is_in_a_fixture_file():
    """Every model with a natural key in the knowledge base's apps (records,
    links, identifiers, vocabularies, sources) is registered."""
    registered = set(registry.kb_labels())
    for model in apps.get_models():
        if issubclass(model, NaturalKeyModel):
            assert model._meta.label_lower in registered, model
    assert every_natural_key_model_is_registered() == []


def test_an_unregistered_model_fails_the_system_check():
    """Adding a curated model without registering it fails loudly (manage.py
    check, so every command and the test run)."""

    class UnregisteredLink(NaturalKeyModel):
        disease = models.ForeignKey(Disease, on_delete=models.CASCADE, related_name="+")
        natural_key_lookups = ("disease__slug",)

        class Meta:
            app_label = "diseases"

        def __str__(self):
            return "unregistered"

    try:
        errors = every_natural_key_model_is_registered()
        assert [error.id for error in errors] == ["kbframework.E001"]
        assert "diseases.UnregisteredLink" in errors[0].msg
    finally:
        del apps.all_models["diseases"]["unregisteredlink"]
        apps.clear_cache()


def test_every_link_kind_hanging_off_a_disease_is_known():
    """The link kinds that point at a disease, from the registry alone."""
    kinds = {model._meta.label_lower for model, _fk in registry.hanging_off(Disease)}
    assert {
        "diseases.diseasemembership",
        "diseases.diseasebodysystem",
        "diseases.diseasesymptom",
        "diseases.diseasemechanism",
        "diseases.diseaserelation",
        "diseases.diseasexref",
        "treatments.indication",
        "treatments.adverseeffect",
        "treatments.responsenote",
        "epidemiology.figure",
    } <= kinds


def test_every_curated_model_has_an_admin():
    for model in registry.curated_models():
        assert model in admin.site._registry, model


def test_other_apps_add_sections_to_a_disease_without_patching_it():
    """Treatments and figures reach a disease's detail through the registry;
    DiseaseAdmin's own inlines are its app's only."""
    names = [section.name for section in registry.sections(Disease)]
    assert names == ["treatments", "response_notes", "adverse_effect_of", "figures"]
    assert {inline.model._meta.app_label for inline in DiseaseAdmin.inlines} == {
        "diseases"
    }
    inlines = DiseaseAdmin(Disease, admin.site).get_inlines(None, None)
    assert {inline.model._meta.app_label for inline in inlines} == {
        "diseases",
        "treatments",
        "epidemiology",
    }


def test_registering_twice_is_refused():
    local = Registry()
    local.fixture_file("a.json", order=1, models=["diseases.Disease"])
    with pytest.raises(AlreadyRegistered):
        local.fixture_file("b.json", order=2, models=["diseases.Disease"])
    local.resource("diseases.Disease")
    with pytest.raises(AlreadyRegistered):
        local.resource("diseases.Disease")


def test_resources_come_in_their_registered_positions():
    """The API, releases and search list resources in one explicit order,
    whatever the order of INSTALLED_APPS."""
    prefixes = [resource.api_prefix for resource in registry.api_resources()]
    assert prefixes == [
        "diseases",
        "symptoms",
        "mechanisms",
        "body-systems",
        "drug-classes",
        "drugs",
        "figures",
        "studies",
        "sources",
    ]
    assert [r.search_title for r in registry.searchable()] == [
        "Diseases and conditions",
        "Symptoms",
        "Mechanisms and risk factors",
        "Body systems",
        "Drug classes",
        "Drugs",
    ]
