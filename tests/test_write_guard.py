"""No editor request changes published content, by any admin route.

The routes are generated, not listed: for every curated model the admin site
registers (registry.curated_models()), one published row, and its change form
(with every inline formset the page carries), delete, history revert and
every action. Each form is the one a reviewer is shown, posted by an editor
(or an anonymous visitor) with a marker written into its first text field:
the strongest thing an editor's browser could send. Afterwards every curated
row must be exactly as before, so nothing that readers see (pages, API, CSV,
search, sitemap, releases) can have changed. A reviewer posting the same form
does change the row: the check has teeth.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from kbframework.curation import is_public
from kbframework.models import Revision
from kbframework.registry import registry
from kbframework.revisions import is_root_model

pytestmark = pytest.mark.django_db

MARKER = "EDITOR-WAS-HERE"

# An editor's change through these becomes a revision waiting for review.
PROPOSING_ROUTES = ("change form", "inline row", "history revert")
# Removing a link row too; removing a record, source or citation is refused.
REMOVING_ROUTES = ("delete", "action delete_selected")


def proposes(model, route: str) -> bool:
    if route in PROPOSING_ROUTES:
        return True
    removable = (
        not is_root_model(model) and model._meta.label_lower != "imidkb.citation"
    )
    return route in REMOVING_ROUTES and removable


class FormFields(HTMLParser):
    """The fields a browser would post from the page's main form (any form
    but the header's log-out form)."""

    def __init__(self):
        super().__init__()
        self.inside, self.fields = False, []
        self.select = self.textarea = None
        self.text_names: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") != "logout-form"
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        name = attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append(
                [
                    name,
                    attrs.get("value", "on" if kind in ("checkbox", "radio") else ""),
                ]
            )
            if kind == "text" and "-__prefix__-" not in name:
                self.text_names.append(name)
        elif tag == "textarea":
            self.textarea = [name, ""]
            self.fields.append(self.textarea)
            if "-__prefix__-" not in name:
                self.text_names.append(name)
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append([self.select, attrs.get("value", "")])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def snapshot() -> dict:
    """Every curated row and every citation link, as plain values."""
    state = {}
    for model in registry.curated_models():
        rows = model._base_manager.order_by("pk").values()
        state[model._meta.label_lower] = [
            {k: v for k, v in row.items() if k not in ("updated", "version")}
            for row in rows
        ]
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            state[through._meta.label_lower] = list(
                through.objects.order_by("pk").values()
            )
    return state


def published_row(model):
    for row in model._base_manager.order_by("pk"):
        if is_public(row, stored=True):
            return row
    return None


def admin_models():
    return [m for m in registry.curated_models() if m in admin.site._registry]


def url(model, view, *args):
    info = (model._meta.app_label, model._meta.model_name)
    return reverse(f"admin:{info[0]}_{info[1]}_{view}", args=args)


def posted_form(client, page_url, model) -> tuple[list, list[str]]:
    response = client.get(page_url)
    assert response.status_code == 200, page_url
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser.fields, parser.text_names


FREE_TEXT = ("summary", "description", "note", "title", "label", "publisher", "name")


def with_marker(fields, text_names, *, inline: bool = False) -> dict:
    """The form's data with the marker added to its first free-text field:
    the record's own, or (inline) the first of an inline row."""
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    free = [
        n
        for n in text_names
        if n.rsplit("-", 1)[-1] in FREE_TEXT and ("-" in n) == inline
    ]
    assert free, f"no free-text field among {text_names}"
    target = min(free, key=lambda n: FREE_TEXT.index(n.rsplit("-", 1)[-1]))
    data[target] = [(data[target][0] + " " + MARKER).strip()[:90]]
    data["_save"] = ["Save"]
    return data


@pytest.fixture
def clients(editor_client, reviewer_client):
    return {"anonymous": Client(), "editor": editor_client}


def routes(model, row, reviewer_client):
    """(route, url, POST data) of every write route for one published row."""
    change = url(model, "change", row.pk)
    fields, text_names = posted_form(reviewer_client, change, model)
    yield "change form", change, with_marker(fields, text_names)
    if any("-" in n and n.rsplit("-", 1)[-1] in FREE_TEXT for n in text_names):
        yield "inline row", change, with_marker(fields, text_names, inline=True)
    yield "delete", url(model, "delete", row.pk), {"post": "yes"}
    model_admin = admin.site._registry[model]
    if isinstance(model_admin, SimpleHistoryAdmin):
        history = model.history.filter(id=row.pk).order_by("history_date").first()
        if history is not None:
            revert = url(model, "simple_history", row.pk, history.history_id)
            fields, text_names = posted_form(reviewer_client, revert, model)
            yield "history revert", revert, with_marker(fields, text_names)
    request = reviewer_client.get(url(model, "changelist")).wsgi_request
    for name in model_admin.get_actions(request):
        yield (
            f"action {name}",
            url(model, "changelist"),
            {"action": name, "_selected_action": [row.pk], "index": 0, "post": "yes"},
        )


@pytest.mark.parametrize("model", admin_models(), ids=lambda m: m._meta.label)
def test_no_editor_route_changes_published_content(kb, model, clients, reviewer_client):
    row = published_row(model)
    assert row is not None, f"the fixtures hold no published {model._meta.label}"
    cases = list(routes(model, row, reviewer_client))
    assert any(name == "change form" for name, _url, _data in cases)
    before = snapshot()
    for role, client in clients.items():
        for name, target, data in cases:
            proposed = Revision.objects.count()
            response = client.post(target, data)
            assert response.status_code < 500, (role, name, target)
            assert snapshot() == before, f"{role} changed {model._meta.label} by {name}"
            if role == "editor" and proposes(model, name):
                # The editor's work is not lost: it waits for review.
                revision = Revision.objects.order_by("pk").last()
                assert Revision.objects.count() == proposed + 1, (name, target)
                assert any(r["data"] != r["base"] for r in revision.changes["roots"])
                assert response["Location"].endswith(
                    f"/admin/imidkb/revision/{revision.pk}/change/"
                )
            else:
                assert Revision.objects.count() == proposed, (role, name, target)


@pytest.mark.parametrize("model", admin_models(), ids=lambda m: m._meta.label)
def test_a_reviewer_posting_the_same_change_form_changes_the_row(
    kb, model, reviewer_client
):
    """The matrix above has teeth: the form it posts does save for a
    reviewer."""
    row = published_row(model)
    change = url(model, "change", row.pk)
    fields, text_names = posted_form(reviewer_client, change, model)
    before = snapshot()
    response = reviewer_client.post(change, with_marker(fields, text_names))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot() != before


def test_inlines_of_a_draft_record_cannot_change_its_published_figures(
    kb, editor_client, reviewer_client
):
    """Psoriasis sent back to draft: the editor may edit it, but its figure
    inline still holds published figures. Saving both keeps the draft's change
    and makes the figure's a revision; the published figure stays as it is."""
    from diseases.models import Disease
    from epidemiology.models import Figure
    from kbframework.models import Status

    psoriasis = Disease.objects.get(slug="psoriasis")
    Disease.objects.filter(pk=psoriasis.pk).update(status=Status.DRAFT)
    change = url(Disease, "change", psoriasis.pk)
    fields, _names = posted_form(editor_client, change, Disease)
    data = with_marker(fields, _names)
    figure_values = [k for k in data if k.startswith("figures-0-lower")]
    assert figure_values, "the figure inline is on the page"
    figure_pk = int(data[figure_values[0].replace("lower", "id")][0])
    before = Figure.objects.filter(pk=figure_pk).values().get()
    data[figure_values[0]] = ["5"]
    response = editor_client.post(change, data)
    assert response.status_code == 302
    assert Figure.objects.filter(pk=figure_pk).values().get() == before
    # The draft's own change is kept, not rolled back with the proposal.
    assert Disease.objects.get(pk=psoriasis.pk).summary == data["summary"][0]
    revision = Revision.objects.get()
    (root,) = revision.changes["roots"]
    assert (root["model"], root["pk"]) == ("epidemiology.figure", figure_pk)
    (figure,) = [r for r in root["data"] if r["pk"] == figure_pk]
    assert figure["fields"]["lower"] == "5"


def test_an_inline_cannot_create_a_published_record(kb, editor_client):
    """A draft drug class's drug inline posted with status published: refused,
    nothing saved (it used to publish the drug, uncited and unreviewed)."""
    from treatments.models import Drug, DrugClass

    klass = DrugClass.objects.create(
        slug="draft-class", name="Draft class", summary="Drafted."
    )
    change = url(DrugClass, "change", klass.pk)
    fields, names = posted_form(editor_client, change, DrugClass)
    data = with_marker(fields, names)
    data.update(
        {
            "drugs-TOTAL_FORMS": ["1"],
            "drugs-0-name": ["Sneaky drug"],
            "drugs-0-slug": ["sneaky-drug"],
            "drugs-0-status": ["published"],
        }
    )
    before = snapshot()
    response = editor_client.post(change, data)
    assert response.status_code in (200, 403)
    assert not Drug.objects.filter(slug="sneaky-drug").exists()
    assert snapshot() == before


@pytest.fixture
def draft_link(kb):
    """A symptom link of a draft disease: editors may change it."""
    from diseases.models import Disease, DiseaseSymptom
    from kbframework.models import Status

    link = DiseaseSymptom.objects.filter(disease__kind="disease").first()
    Disease.objects.filter(pk=link.disease_id).update(status=Status.DRAFT)
    return link


def test_two_editors_saving_one_link_the_second_is_refused(
    draft_link, editor_client, reviewer_client
):
    """No lost update on a link row: the second save says what changed."""
    from diseases.models import DiseaseSymptom

    change = url(DiseaseSymptom, "change", draft_link.pk)
    first, names = posted_form(editor_client, change, DiseaseSymptom)
    second, _names = posted_form(reviewer_client, change, DiseaseSymptom)
    data = with_marker(first, names)
    assert editor_client.post(change, data).status_code == 302
    data = with_marker(second, names)
    data["note"] = ["A different note"]
    response = reviewer_client.post(change, data)
    assert response.status_code == 200
    assert "saved this record after you opened it" in response.content.decode()
    assert MARKER in DiseaseSymptom.objects.get(pk=draft_link.pk).note


def test_a_stale_inline_row_does_not_revert_a_change_made_meanwhile(
    draft_link, editor_client, reviewer_client
):
    """An editor has the disease's page open; meanwhile the symptom link is
    corrected in its own admin; the editor's save of the page is refused
    instead of putting the old note back."""
    from diseases.models import Disease, DiseaseSymptom

    page = url(Disease, "change", draft_link.disease_id)
    fields, names = posted_form(editor_client, page, Disease)
    link_page = url(DiseaseSymptom, "change", draft_link.pk)
    link_fields, link_names = posted_form(reviewer_client, link_page, DiseaseSymptom)
    assert (
        reviewer_client.post(
            link_page, with_marker(link_fields, link_names)
        ).status_code
        == 302
    )
    response = editor_client.post(page, with_marker(fields, names))
    assert response.status_code == 200
    assert "saved this record after you opened it" in response.content.decode()
    assert MARKER in DiseaseSymptom.objects.get(pk=draft_link.pk).note


@pytest.mark.parametrize(
    "model",
    [m for m in admin_models() if m in registry.link_models()],
    ids=lambda m: m._meta.label,
)
def test_no_lost_update_on_rows_that_are_not_records(
    kb, model, reviewer_client, admin_client
):
    """Links, identifiers, sources, citations, body systems: of two saves of
    forms opened on the same version, the second is refused with what
    changed, and the first stays."""
    row = published_row(model)
    change = url(model, "change", row.pk)
    first, names = posted_form(reviewer_client, change, model)
    second, _names = posted_form(admin_client, change, model)
    response = reviewer_client.post(change, with_marker(first, names))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = model._base_manager.filter(pk=row.pk).values().get()
    response = admin_client.post(change, with_marker(second, names))
    assert response.status_code == 200
    assert "saved this record after you opened it" in response.content.decode()
    assert model._base_manager.filter(pk=row.pk).values().get() == saved
