"""The curation workflow: roles, transitions, publication checks, history,
revert and no lost updates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diseases.models import Symptom
from kbframework import workflow
from kbframework.models import Status
from tests.factories import SymptomFactory

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(
        f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
    )


def form_data(response) -> dict:
    """The admin change form as a browser would post it back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def open_form(client, obj):
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return form_data(response)


def post(client, obj, data):
    return client.post(change_url(obj), data)


def test_editors_and_reviewers_groups_are_loaded(kb):
    from django.contrib.auth.models import Group

    reviewers = Group.objects.get(name="Reviewers")
    assert reviewers.permissions.filter(codename="review_records").exists()
    editors = Group.objects.get(name="Editors")
    assert not editors.permissions.filter(codename="review_records").exists()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (Status.PUBLISHED, "cannot go from “Draft” to “Published”"),
        (Status.RETIRED, "Only reviewers may retire"),
    ],
)
def test_an_editor_cannot_publish_or_retire_whatever_they_post(
    kb, editor_client, target, message
):
    draft = SymptomFactory(status=Status.DRAFT, name="Draft symptom")
    data = open_form(editor_client, draft)
    data["status"] = target
    response = post(editor_client, draft, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_an_editor_submits_and_a_reviewer_publishes(kb, editor_client, reviewer_client):
    draft = SymptomFactory(status=Status.DRAFT)
    data = open_form(editor_client, draft)
    data["status"] = Status.IN_REVIEW
    data["change_reason"] = "ready for review"
    assert post(editor_client, draft, data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    # The editor can no longer change it.
    assert editor_client.post(change_url(draft), data).status_code == 403
    changelist = reverse("admin:diseases_symptom_changelist")
    reviewer_client.post(
        changelist,
        {"action": "action_publish_published", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.reviewed_on is not None
    reasons = list(draft.history.values_list("history_change_reason", flat=True))
    assert "Publish (admin action)" in reasons
    assert "ready for review" in reasons


def test_publishing_without_a_citation_is_refused(kb, reviewer, reviewer_client):
    record = SymptomFactory(status=Status.IN_REVIEW, citations=[])
    record.citations.clear()
    with pytest.raises(ValidationError, match="citation"):
        workflow.apply(reviewer, record, Status.PUBLISHED)
    changelist = reverse("admin:diseases_symptom_changelist")
    response = reviewer_client.post(
        changelist,
        {"action": "action_publish_published", "_selected_action": [record.pk]},
        follow=True,
    )
    assert "needs at least one citation" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.IN_REVIEW


def test_the_review_queue_lists_records_in_review(kb, reviewer_client):
    SymptomFactory(status=Status.IN_REVIEW, name="Waiting symptom")
    html = reviewer_client.get(reverse("admin:review-queue")).content.decode()
    assert "Waiting symptom" in html
    index = reviewer_client.get(reverse("admin:index")).content.decode()
    assert "Needs review: 1 item" in index


ROLES = ["editor", "reviewer"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ROLES), st.sampled_from(list(Status))),
        max_size=12,
    )
)
def test_any_sequence_of_transitions_follows_the_rules(kb, editor, reviewer, steps):
    """Whatever is attempted, in any order: only allowed moves happen, editors
    never publish or retire, and nothing is published without a citation."""
    users = {"editor": editor, "reviewer": reviewer}
    record = SymptomFactory(status=Status.DRAFT)
    for role, target in steps:
        before = record.status
        try:
            workflow.apply(users[role], record, target)
        except (PermissionDenied, ValidationError):
            record.refresh_from_db()
            assert record.status == before
            continue
        move = workflow.find_transition(before, target)
        assert before == target or move is not None
        if move and move.reviewers_only:
            assert role == "reviewer"
        if record.status == Status.PUBLISHED:
            assert record.citations.exists()


def test_history_shows_a_field_diff_and_reverts(kb, reviewer_client):
    symptom = Symptom.objects.get(slug="nausea")
    original = symptom.description
    data = open_form(reviewer_client, symptom)
    data["description"] = "A first rewrite."
    data["change_reason"] = "clearer wording"
    assert post(reviewer_client, symptom, data).status_code == 302
    history_url = reverse("admin:diseases_symptom_history", args=[symptom.pk])
    html = reviewer_client.get(history_url).content.decode()
    assert "clearer wording" in html
    assert "A first rewrite." in html  # the change, field by field
    assert original in html

    first = symptom.history.order_by("history_date").first()
    revert_url = reverse(
        "admin:diseases_symptom_simple_history", args=[symptom.pk, first.history_id]
    )
    response = reviewer_client.get(revert_url)
    data = form_data(response)
    assert data["description"] == original
    data["change_reason"] = "revert to the curated text"
    assert reviewer_client.post(revert_url, data).status_code == 302
    symptom.refresh_from_db()
    assert symptom.description == original
    latest = symptom.history.order_by("-history_date").first()
    assert latest.history_change_reason == "revert to the curated text"


def test_two_concurrent_saves_have_exactly_one_winner(kb, editor, reviewer):
    """Both editors open version N; the first save wins, the second is refused
    with what changed, and nothing is overwritten."""
    from tests.conftest import logged_in

    first, second = logged_in(reviewer), logged_in(editor)
    symptom = SymptomFactory(status=Status.DRAFT, description="Opened by both.")
    mine, theirs = open_form(first, symptom), open_form(second, symptom)
    mine["description"] = "Saved first."
    theirs["description"] = "Saved second."
    assert post(first, symptom, mine).status_code == 302
    response = post(second, symptom, theirs)
    assert response.status_code == 200
    html = response.content.decode()
    assert "saved this record after you opened it" in html
    assert "Saved first." in html
    symptom.refresh_from_db()
    assert symptom.description == "Saved first."


def test_failed_logins_lock_the_account_out(db, client, django_user_model, settings):
    from imidkb import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = django_user_model.objects.create_user(
        username="victim", password="correct-horse-battery-staple", is_staff=True
    )
    assert user.password.startswith("argon2")
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "victim", "password": "wrong"})
    response = client.post(
        login, {"username": "victim", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError):
        validate_password("password123")
    with pytest.raises(ValidationError):
        validate_password("short1!")


def test_a_change_of_citations_is_in_the_history(kb, reviewer_client):
    symptom = Symptom.objects.get(slug="pain")
    assert symptom.citations.count() > 1
    data = open_form(reviewer_client, symptom)
    data["citations"] = data["citations"][:1]
    data["change_reason"] = "one source is enough"
    assert post(reviewer_client, symptom, data).status_code == 302
    latest, previous = symptom.history.order_by("-history_date")[:2]
    delta = latest.diff_against(previous)
    assert "citations" in delta.changed_fields


def test_a_saved_slug_cannot_be_changed_in_the_admin(kb, reviewer_client):
    symptom = Symptom.objects.get(slug="fever")
    data = open_form(reviewer_client, symptom)
    assert "slug" not in data
    data["slug"] = "pyrexia"
    post(reviewer_client, symptom, data)
    assert Symptom.objects.filter(slug="fever").exists()
