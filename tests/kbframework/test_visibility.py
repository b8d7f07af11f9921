"""Visibility is an argument: the reader decides what every read returns,
sections other apps add to a record included."""

import pytest
from django.contrib.auth.models import AnonymousUser

from diseases.models import Disease
from kbframework.models import Status
from kbframework.visibility import PUBLIC, STAFF, Visibility
from tests.factories import FigureFactory
from treatments.models import ResponseNote

pytestmark = pytest.mark.django_db


def test_visibility_of_a_user(editor):
    assert Visibility.of(None) == PUBLIC
    assert Visibility.of(AnonymousUser()) == PUBLIC
    assert Visibility.of(editor) == STAFF
    assert Visibility.of(STAFF) == STAFF


@pytest.fixture
def draft_sections(kb):
    """A draft figure and a draft response note of a published disease."""
    lupus = Disease.objects.get(slug="systemic-lupus-erythematosus")
    figure = FigureFactory(
        disease=lupus, slug="draft-lupus-figure", value=123456, status=Status.DRAFT
    )
    note = ResponseNote.objects.create(
        slug="draft-lupus-note",
        disease=lupus,
        kind=ResponseNote.Kind.BENEFIT,
        summary="A draft note nobody reviewed.",
        status=Status.DRAFT,
    )
    return figure, note


def test_editors_preview_draft_figures_and_response_notes(
    draft_sections, client, editor_client
):
    """Drafts of every section show to editors (page and API), never to the
    public."""
    url = "/api/v1/diseases/systemic-lupus-erythematosus/"
    public = client.get(url).json()
    staff = editor_client.get(url).json()
    assert "draft-lupus-figure" not in {f["slug"] for f in public["figures"]}
    assert "draft-lupus-figure" in {f["slug"] for f in staff["figures"]}
    assert "draft-lupus-note" not in {n["slug"] for n in public["response_notes"]}
    assert "draft-lupus-note" in {n["slug"] for n in staff["response_notes"]}
    page = "/diseases/systemic-lupus-erythematosus/"
    assert "123,456" not in client.get(page).content.decode()
    assert "A draft note nobody reviewed." not in client.get(page).content.decode()
    assert "123,456" in editor_client.get(page).content.decode()
    assert "A draft note nobody reviewed." in editor_client.get(page).content.decode()


def test_querysets_carry_no_visibility_state():
    """The reader is passed to every read; no queryset keeps a public flag."""
    queryset = Disease.objects.restrict(None)
    assert not hasattr(queryset, "public")
    assert not hasattr(Disease.objects.all(), "public")
