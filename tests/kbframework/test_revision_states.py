"""Two editors and a reviewer, interleaved (a hypothesis state machine over
the admin, through HTTP as a browser would): nothing accepted is lost,
nothing refused goes unexplained, and what anonymous readers get always
equals the last published state."""

import itertools

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from diseases.models import Symptom
from kbframework.models import Revision
from tests.conftest import logged_in, member_of
from tests.test_write_guard import posted_form, url

pytestmark = pytest.mark.django_db

STALE = "saved this record after you opened it"
OUTDATED = "changed after this revision was proposed"
EDITORS = ("editor-a", "editor-b")


def public_description(slug: str) -> str:
    response = Client().get(f"/api/v1/symptoms/{slug}/")
    assert response.status_code == 200
    return response.json()["description"]


def test_two_editors_and_a_reviewer_interleaved(kb, django_user_model):
    symptom = Symptom.objects.published().exclude(description="").order_by("pk")[0]
    clients = {
        name: logged_in(member_of(django_user_model, name, "Editors"))
        for name in EDITORS
    }
    reviewer = logged_in(member_of(django_user_model, "the-reviewer", "Reviewers"))
    page = url(Symptom, "change", symptom.pk)
    counter = itertools.count()

    class Curation(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            cache.clear()  # cached responses are keyed on a data version
            self.published = symptom.description
            self.publications = 0  # publications so far
            self.forms = {}  # editor -> (fields, publications when opened)
            self.expected = {}  # revision pk -> (state, text, publications)

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
            cache.clear()

        @rule(editor=st.sampled_from(EDITORS))
        def open_form(self, editor):
            fields, _names = posted_form(clients[editor], page, Symptom)
            self.forms[editor] = (fields, self.publications)

        @precondition(lambda self: self.forms)
        @rule(data=st.data(), words=st.text("abcdefgh ", min_size=1, max_size=12))
        def save(self, data, words):
            """Save a form opened earlier (maybe before a publication)."""
            self.submit(data.draw(st.sampled_from(sorted(self.forms))), words)

        @rule(editor=st.sampled_from(EDITORS), words=st.text("abc ", max_size=5))
        def open_and_save(self, editor, words):
            self.open_form(editor)
            self.submit(editor, words)

        def submit(self, editor, words):
            fields, opened_at = self.forms.pop(editor)
            text = f"proposal {next(counter)} {words.strip()}".strip()
            post: dict[str, list[str]] = {}
            for name, value in fields:
                post.setdefault(name, []).append(value)
            post["description"] = [text]
            post["_save"] = ["Save"]
            before = Revision.objects.count()
            response = clients[editor].post(page, post)
            if opened_at != self.publications:
                # Refused, with what changed since the form was opened.
                assert response.status_code == 200
                assert STALE in response.content.decode()
                assert Revision.objects.count() == before
                return
            assert response.status_code == 302, response.content.decode()[:2000]
            revision = Revision.objects.order_by("pk").last()
            assert Revision.objects.count() == before + 1
            self.expected[revision.pk] = ("pending", text, self.publications)

        def pending(self):
            return [
                pk for pk, (state, *_r) in self.expected.items() if state == "pending"
            ]

        @precondition(lambda self: self.pending())
        @rule(data=st.data())
        def publish(self, data):
            pk = data.draw(st.sampled_from(sorted(self.pending())))
            _state, text, proposed_at = self.expected[pk]
            response = reviewer.post(
                reverse("admin:imidkb_revision_change", args=[pk]),
                {"decision": "publish", "comment": "checked"},
            )
            if proposed_at != self.publications:
                assert response.status_code == 200
                assert OUTDATED in response.content.decode()
                return
            assert response.status_code == 302
            self.expected[pk] = ("published", text, proposed_at)
            self.published = text
            self.publications += 1

        @precondition(lambda self: self.pending())
        @rule(data=st.data())
        def send_back(self, data):
            pk = data.draw(st.sampled_from(sorted(self.pending())))
            response = reviewer.post(
                reverse("admin:imidkb_revision_change", args=[pk]),
                {"decision": "send_back", "comment": "not in the source"},
            )
            assert response.status_code == 302
            _state, text, proposed_at = self.expected[pk]
            self.expected[pk] = ("sent-back", text, proposed_at)

        @invariant()
        def readers_see_the_last_published_state(self):
            assert public_description(symptom.slug) == self.published

        @invariant()
        def nothing_accepted_is_lost(self):
            stored = {r.pk: r for r in Revision.objects.filter(pk__in=self.expected)}
            assert set(stored) == set(self.expected)
            for pk, (state, text, _at) in self.expected.items():
                revision = stored[pk]
                assert revision.state == state
                proposed = [
                    r
                    for r in revision.changes["roots"][0]["data"]
                    if r["model"] == "diseases.symptom"
                ]
                assert proposed[0]["fields"]["description"] == text

    run_state_machine_as_test(
        Curation,
        settings=settings(
            max_examples=10,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        ),
    )
