"""Every model is registered in the admin and its pages load for editors."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from kbframework.registry import registry
from kbframework.revisions import is_root_model

pytestmark = pytest.mark.django_db

KB_APPS = {"imidkb", "diseases", "treatments", "epidemiology"}
REGISTERED = [
    model
    for model in admin.site._registry
    if model._meta.app_label in KB_APPS and not hasattr(model, "instance_type")
]


def test_every_knowledge_base_model_is_registered():
    """Every model but the derived search index, fixture bases and public
    documents is browsable in the admin."""
    from django.apps import apps

    for app in KB_APPS:
        for model in apps.get_app_config(app).get_models():
            derived = {
                "imidkb.searchterm",
                "imidkb.searchkey",
                "imidkb.loadedrecord",
                "imidkb.publicdocument",
                "imidkb.publicdocumentread",
            }
            if model._meta.label_lower in derived or hasattr(model, "instance_type"):
                continue  # the search index and simple-history's records
            assert model in admin.site._registry, model


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages_load(kb, admin_client, model):
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    assert admin_client.get(reverse(f"{base}_changelist")).status_code == 200
    read_only = opts.model_name in {"release", "dataversion", "revision"}
    add = admin_client.get(reverse(f"{base}_add"))
    assert add.status_code == (403 if read_only else 200)
    obj = model._default_manager.first()
    if obj is None:  # releases, revisions, the data version: once made
        assert model._meta.model_name in {"release", "dataversion", "revision"}
        return
    assert admin_client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(
    kb, admin_client, model, django_assert_max_num_queries
):
    """list_select_related keeps changelists free of a query per row."""
    opts = model._meta
    with django_assert_max_num_queries(12):
        admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [("cited=no", 0), ("status=draft", 0)],
)
def test_disease_changelist_filters(kb, admin_client, query, expected):
    response = admin_client.get(
        reverse("admin:diseases_disease_changelist") + f"?{query}"
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_identifier_filter_lists_diseases_without_identifiers(kb, admin_client):
    response = admin_client.get(
        reverse("admin:diseases_disease_changelist") + "?identified=no"
    )
    names = {d.slug for d in response.context["cl"].result_list}
    assert "axial-spondyloarthritis" in names
    assert "rheumatoid-arthritis" not in names


def test_editors_group_is_loaded_with_curation_permissions(kb):
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {
        "add_disease",
        "change_disease",
        "view_figure",
        "view_revision",
    } <= codenames
    # Editors may remove link rows (from a published record: proposed for
    # review), never a record, a source or a citation.
    deletable = {
        f"delete_{model._meta.model_name}"
        for model in registry.curated_models()
        if not is_root_model(model) and model._meta.model_name != "citation"
    }
    assert {code for code in codenames if code.startswith("delete_")} == deletable


def test_editors_menus_list_records_not_tables(kb, editor_client, admin_client):
    """An editor's admin home lists records (diseases, drug classes, figures)
    and the review queue, not link rows, identifiers, the data-version counter
    or login logs; a superuser's lists every table."""
    editor_home = editor_client.get("/admin/").content.decode()
    for path in ("diseases/disease/", "treatments/drugclass/", "epidemiology/figure/"):
        assert f"/admin/{path}" in editor_home
    assert "/admin/review-queue/" in editor_home
    for path in (
        "diseases/diseasesymptom/",
        "diseases/diseasexref/",
        "treatments/indication/",
        "imidkb/dataversion/",
        "axes/accesslog/",
    ):
        assert f"/admin/{path}" not in editor_home
        assert f"/admin/{path}" in admin_client.get("/admin/").content.decode()
