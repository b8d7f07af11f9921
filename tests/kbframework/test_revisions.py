"""An editor's change to published content is a revision: readers keep the
published version until a reviewer publishes it; sending it back, or a
conflicting change meanwhile, leaves the published version as it is."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from diseases.models import Disease, DiseaseSymptom, Symptom
from kbframework import revisions
from kbframework.models import DataVersion, Revision
from tests.test_write_guard import posted_form, url

pytestmark = pytest.mark.django_db


def public_summary(slug: str) -> str:
    response = Client().get(f"/api/v1/diseases/{slug}/")
    assert response.status_code == 200
    return response.json()["summary"]


def propose_summary(client, disease, summary: str, reason: str = "") -> Revision:
    page = url(Disease, "change", disease.pk)
    fields, _names = posted_form(client, page, Disease)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    data["summary"] = [summary]
    data["change_reason"] = [reason]
    data["_save"] = ["Save"]
    response = client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    revision = Revision.objects.order_by("pk").last()
    assert response["Location"] == reverse(
        "admin:imidkb_revision_change", args=[revision.pk]
    )
    return revision


def decide(client, revision, decision: str, comment: str = ""):
    return client.post(
        reverse("admin:imidkb_revision_change", args=[revision.pk]),
        {"decision": decision, "comment": comment},
    )


@pytest.fixture
def psoriasis(kb):
    return Disease.objects.get(slug="psoriasis")


def test_a_proposal_waits_and_publishing_applies_it_once(
    psoriasis, editor_client, reviewer_client, reviewer
):
    published = public_summary("psoriasis")
    revision = propose_summary(
        editor_client, psoriasis, "A proposed summary.", "clearer wording"
    )
    assert revision.state == Revision.State.PENDING
    assert revision.reason == "clearer wording"
    assert public_summary("psoriasis") == published

    # The reviewer reads the change field by field before deciding.
    page = reviewer_client.get(
        reverse("admin:imidkb_revision_change", args=[revision.pk])
    )
    text = page.content.decode()
    words = re.sub(r"<[^>]+>", "", text)
    assert page.status_code == 200
    assert "A proposed summary." in words and published[:40] in words
    assert re.search(r"<ins>[^<]*summary\.</ins>", text)  # the changed words
    assert 'value="publish"' in text
    assert (
        'value="publish"'
        not in editor_client.get(
            reverse("admin:imidkb_revision_change", args=[revision.pk])
        ).content.decode()
    )

    version = DataVersion.current().number
    response = decide(reviewer_client, revision, "publish", "checked against 2019 text")
    assert response.status_code == 302
    assert public_summary("psoriasis") == "A proposed summary."
    assert DataVersion.current().number == version + 1
    revision.refresh_from_db()
    assert revision.state == Revision.State.PUBLISHED
    assert revision.reviewed_by == reviewer
    latest = psoriasis.history.order_by("-history_date").first()
    assert latest.history_user == reviewer
    assert "edna-editor" in latest.history_change_reason
    assert "rita-reviewer" in latest.history_change_reason
    assert "clearer wording" in latest.history_change_reason


def test_an_editor_cannot_publish_a_revision(psoriasis, editor_client):
    published = public_summary("psoriasis")
    revision = propose_summary(editor_client, psoriasis, "Self-published?")
    assert decide(editor_client, revision, "publish").status_code == 403
    assert public_summary("psoriasis") == published
    assert Revision.objects.get(pk=revision.pk).state == Revision.State.PENDING


def test_sending_back_keeps_the_published_version(
    psoriasis, editor_client, reviewer_client
):
    published = public_summary("psoriasis")
    revision = propose_summary(editor_client, psoriasis, "Not this.")
    response = decide(reviewer_client, revision, "send_back")
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    assert (
        decide(reviewer_client, revision, "send_back", "Not in the text").status_code
        == 302
    )
    revision.refresh_from_db()
    assert revision.state == Revision.State.SENT_BACK
    assert revision.review_comment == "Not in the text"
    assert public_summary("psoriasis") == published
    assert Disease.objects.get(pk=psoriasis.pk).is_published


def test_a_revision_on_an_outdated_version_is_refused_with_what_changed(
    psoriasis, editor_client, reviewer_client
):
    first = propose_summary(editor_client, psoriasis, "First proposal.")
    second = propose_summary(editor_client, psoriasis, "Second proposal.")
    assert decide(reviewer_client, first, "publish").status_code == 302
    response = decide(reviewer_client, second, "publish")
    text = response.content.decode()
    assert response.status_code == 200
    assert "changed after this revision was proposed" in text
    assert public_summary("psoriasis") == "First proposal."
    assert Revision.objects.get(pk=second.pk).state == Revision.State.PENDING


def propose_symptom_link(editor_client, disease, symptom, **fields):
    """An editor adds a symptom link in the link's own admin (its add form,
    as served, with `fields` set): the response."""
    add = url(DiseaseSymptom, "add")
    served, _names = posted_form(editor_client, add, DiseaseSymptom)
    data: dict[str, list[str]] = {}
    for name, value in served:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in fields.items()})
    data.update(
        {"disease": [str(disease.pk)], "symptom": [str(symptom.pk)], "_save": ["Save"]}
    )
    return editor_client.post(add, data)


def test_a_new_link_on_a_published_disease_is_proposed_with_its_record(
    psoriasis, editor_client, reviewer_client
):
    """Adding a symptom link in the link's own admin: a revision of the
    disease's bundle, applied on publish."""
    symptom = Symptom.objects.published().exclude(disease_links__disease=psoriasis)
    symptom = symptom.first()
    response = propose_symptom_link(
        editor_client, psoriasis, symptom, note="proposed link"
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not DiseaseSymptom.objects.filter(
        disease=psoriasis, symptom=symptom
    ).exists()
    revision = Revision.objects.get()
    (root,) = revision.changes["roots"]
    assert (root["model"], root["pk"]) == ("diseases.disease", psoriasis.pk)
    (row,) = [
        d for _title, diffs in revisions.proposed_changes(revision) for d in diffs
    ]
    assert row.kind == "added" and symptom.slug in row.name
    assert decide(reviewer_client, revision, "publish").status_code == 302
    link = DiseaseSymptom.objects.get(disease=psoriasis, symptom=symptom)
    assert link.note == "proposed link"


def test_removing_a_link_is_proposed_and_applied(kb, editor_client, reviewer_client):
    link = DiseaseSymptom.objects.filter(
        disease__status="published", symptom__status="published"
    ).first()
    response = editor_client.post(
        url(DiseaseSymptom, "delete", link.pk), {"post": "yes"}
    )
    assert response.status_code == 302
    assert DiseaseSymptom.objects.filter(pk=link.pk).exists()
    revision = Revision.objects.get()
    kinds = [
        d.kind for _t, diffs in revisions.proposed_changes(revision) for d in diffs
    ]
    assert kinds == ["removed"]
    assert decide(reviewer_client, revision, "publish").status_code == 302
    assert not DiseaseSymptom.objects.filter(pk=link.pk).exists()


def test_published_records_cannot_be_deleted_by_proposal(psoriasis, editor_client):
    response = editor_client.post(url(Disease, "delete", psoriasis.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Disease.objects.filter(pk=psoriasis.pk).exists()
    assert not Revision.objects.exists()


def test_the_review_queue_lists_pending_revisions_first(
    psoriasis, editor_client, reviewer_client
):
    revision = propose_summary(editor_client, psoriasis, "Queued.", "queue check")
    queue = reviewer_client.get(reverse("admin:review-queue")).content.decode()
    assert revision.title in queue and "queue check" in queue
    index = reviewer_client.get(reverse("admin:index")).content.decode()
    assert index.index("Revisions") < index.index("Diseases")
    change = editor_client.get(url(Disease, "change", psoriasis.pk)).content.decode()
    assert f"revision {revision.pk}" in change
