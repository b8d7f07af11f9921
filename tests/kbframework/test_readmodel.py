"""The read model (kbframework.readmodel): every record's public answers
stored when first asked for, served in one statement, and deleted by every
write of what they show; exercised through the production WSGI stack."""

import pytest
from django.db.models import Q
from django.test import Client

from diseases.models import Disease, DiseaseMembership, DiseaseSymptom, Symptom
from epidemiology.models import Figure
from imidkb.management.commands.buildpublic import addresses
from kbframework import readmodel
from kbframework.models import (
    Citation,
    PublicDocument,
    PublicDocumentRead,
    Source,
    Status,
)
from tests.factories import DiseaseFactory, SymptomFactory

pytestmark = pytest.mark.django_db


def queries(request) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured)


def stored(path: str) -> bool:
    return PublicDocument.objects.filter(key=readmodel.key_for("http", path)).exists()


def build(wsgi) -> list[str]:
    """Every record's address asked for once (as buildpublic does)."""
    paths = addresses()
    for path in paths:
        assert wsgi(path).status_code == 200, path
    return paths


def test_each_kind_of_address_is_stored_and_then_answered_in_one_statement(kb, wsgi):
    """Enumerated from the registry and the URL conf, not listed here: the
    first record of each resource's API detail and page."""
    kinds = {}
    for path in addresses():
        kinds.setdefault(path.rstrip("/").rsplit("/", 1)[0], path)
    assert len(kinds) >= 10  # API and pages of every resource
    for path in kinds.values():
        assert wsgi(path).status_code == 200, path
        if path.startswith("/sources/"):
            # A source's page is not a record detail view (kbframework.views).
            assert not stored(path)
            continue
        assert stored(path), path
        assert queries(lambda path=path: wsgi(path)) == 1, path


def test_a_document_is_the_answer_django_renders(kb, wsgi):
    client = Client()
    for path in ["/api/v1/diseases/psoriasis/", "/diseases/psoriasis/"]:
        first, second = wsgi(path), wsgi(path)
        assert stored(path)
        assert first.content == second.content == client.get(path).content
        assert second["Content-Security-Policy"]
        assert second["Content-Length"] == str(len(second.content))
    api = wsgi("/api/v1/diseases/psoriasis/")
    assert wsgi(
        "/api/v1/diseases/psoriasis/", If_None_Match=api["ETag"]
    ).status_code == (304)


def test_an_answer_for_another_host_names_that_host(kb, wsgi):
    wsgi("/api/v1/diseases/psoriasis/")
    other = wsgi("/api/v1/diseases/psoriasis/", Host="localhost")
    assert other.json()["url"] == "http://localhost/api/v1/diseases/psoriasis/"
    assert readmodel.HOST.encode() not in other.content
    assert wsgi("/api/v1/diseases/psoriasis/", Host="evil.example").status_code == 400


def test_only_what_the_public_may_see_is_stored(kb, wsgi, editor_client):
    draft = DiseaseFactory(name="Quietly drafted disease", status=Status.DRAFT)
    session = f"sessionid={editor_client.cookies['sessionid'].value}"
    for path in [f"/api/v1/diseases/{draft.slug}/", f"/diseases/{draft.slug}/"]:
        assert wsgi(path, Cookie=session).status_code == 200  # the editor's
        assert not stored(path)
        assert wsgi(path).status_code == 404
        assert not stored(path)
    assert not PublicDocument.objects.filter(
        Q(body__contains=b"Quietly drafted") | Q(slug=draft.slug)
    ).exists()


def test_a_query_string_origin_or_other_format_is_not_the_document(kb, wsgi):
    path = "/api/v1/diseases/psoriasis/"
    wsgi(path)
    assert queries(lambda: wsgi(path + "?fields=name")) > 1
    assert "Access-Control-Allow-Origin" not in wsgi(path).headers
    assert wsgi(path, Accept="text/csv").status_code == 406


def change_kinds():
    """One write of each kind a publish makes: (what, function)."""

    def summary():
        record = Disease.objects.get(slug="psoriasis")
        record.summary = "Edited summary that readers must see."
        record.save()

    def rename():
        record = Symptom.objects.get(slug="fatigue")
        record.name = "Tiredness (renamed)"
        record.save()

    def unpublish():
        record = Disease.objects.get(slug="sjogrens-syndrome")
        record.status = Status.DRAFT
        record.save()

    def new_link():
        disease = Disease.objects.get(slug="psoriasis")
        linked = disease.symptom_links.values("symptom")
        symptom = Symptom.objects.published().exclude(pk__in=linked).first()
        DiseaseSymptom.objects.create(disease=disease, symptom=symptom)

    def new_disease():
        # Published: every related-diseases ranking weighs by how many
        # diseases there are.
        disease = DiseaseFactory(name="A newly published disease")
        symptom = Symptom.objects.get(slug="fatigue")
        DiseaseSymptom.objects.create(disease=disease, symptom=symptom)

    def delete_membership():
        DiseaseMembership.objects.filter(
            member__slug="rheumatoid-arthritis"
        ).first().delete()

    def cite():
        disease = Disease.objects.get(slug="crohns-disease")
        disease.citations.add(
            Citation.objects.exclude(pk__in=disease.citations.all()).first()
        )

    def source_title():
        # One that a document still stored cites.
        read = PublicDocumentRead.objects.filter(label="imidkb.source")
        source = Source.objects.get(pk=read.values_list("object_id", flat=True)[0])
        source.title = "Retitled source"
        source.save()

    def figure_note():
        figure = Figure.objects.published().first()
        figure.note = "A note readers must see."
        figure.save()

    # The narrowest first: each is checked on the documents the ones before
    # it left.
    return [
        ("summary", summary),
        ("figure note", figure_note),
        ("cite", cite),
        ("new link", new_link),
        ("delete membership", delete_membership),
        ("unpublish", unpublish),
        ("rename", rename),
        ("source title", source_title),
        # The widest: on the diseases' details stored again.
        ("new disease", new_disease),
    ]


@pytest.mark.sqlite_run_only
def test_after_every_kind_of_write_every_kept_document_is_what_django_renders(kb, wsgi):
    """Each write in turn; after each, every document still stored (not
    deleted by the writes so far) must be byte for byte what Django renders
    now. An
    edit of a summary deletes only documents that show the record."""
    paths = build(wsgi)
    assert all(stored(path) for path in paths if not path.startswith("/sources/"))
    paths = [path for path in paths if stored(path)]
    client = Client()
    every = paths
    for what, change in change_kinds():
        if what == "new disease":  # the diseases' API details stored again
            again = [
                path
                for path in every
                if path.startswith("/api/v1/diseases/")
                and wsgi(path).status_code == 200
            ]
            paths = sorted({*paths, *again})
        change()
        kept = [path for path in paths if stored(path)]
        assert len(kept) < len(paths), what  # it deleted something
        if what == "summary":
            deleted = set(paths) - set(kept)
            assert {"/api/v1/diseases/psoriasis/", "/diseases/psoriasis/"} <= deleted
            # Those that read the record (a related disease, a symptom
            # listing it...): in the curated knowledge base about a fifth.
            assert len(deleted) <= 0.3 * len(paths), sorted(deleted)
        stale = [
            path for path in kept if wsgi(path).content != client.get(path).content
        ]
        assert not stale, (what, stale)
        paths = kept


def test_a_bulk_write_deletes_every_document(kb, wsgi):
    from kbframework.models import DataVersion

    wsgi("/diseases/psoriasis/")
    DataVersion.bump()
    assert not PublicDocument.objects.exists()


def test_a_store_is_refused_when_a_write_came_between(kb, wsgi):
    from kbframework.models import DataVersion

    seen = DataVersion.current().number
    DataVersion.bump(records=[])
    assert not readmodel.store(
        readmodel.key_for("http", "/x/"),
        ("diseases.disease", "x"),
        b"{}",
        [],
        set(),
        "testserver",
        seen,
    )
    assert not PublicDocument.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/drugs/\u0100/", "/diseases/\u00e9t\u00e9/"])
def test_a_path_that_is_no_address_is_a_404_not_a_500(kb, wsgi, path):
    """Django reads the path from the environ it is given: the read model's
    look at the request must leave it as the server passed it."""
    assert wsgi(path).status_code == 404


@pytest.mark.sqlite_run_only
def test_a_published_revision_deletes_only_what_shows_what_it_changed(
    kb, wsgi, editor_client, reviewer_client
):
    """Through the editors' workflow (the admin, review, publish: one bulk
    write, traced row by row): a summary, then a new symptom link."""
    from kbframework.models import Revision
    from tests.kbframework.test_revisions import (
        decide,
        propose_summary,
        propose_symptom_link,
    )

    paths = [
        path
        for path in addresses()
        if path.startswith(("/api/v1/diseases/", "/diseases/", "/symptoms/"))
    ]
    for path in paths:
        wsgi(path)
    paths = [path for path in paths if stored(path)]
    psoriasis = Disease.objects.get(slug="psoriasis")
    revision = propose_summary(editor_client, psoriasis, "A reviewed new summary.")
    assert all(stored(path) for path in paths)  # proposed: nothing changed
    assert decide(reviewer_client, revision, "publish").status_code == 302
    kept = [path for path in paths if stored(path)]
    assert not stored("/api/v1/diseases/psoriasis/")
    # Those that read psoriasis go (among 40 diseases and their symptoms,
    # about half: its groups, members, related diseases, its symptoms'
    # pages); the others stay.
    assert len(kept) >= 0.4 * len(paths)
    client = Client()
    assert all(wsgi(path).content == client.get(path).content for path in kept)
    assert "A reviewed new summary." in wsgi("/diseases/psoriasis/").content.decode()

    symptom = Symptom.objects.published().exclude(disease_links__disease=psoriasis)
    symptom = symptom.first()
    page = f"/symptoms/{symptom.slug}/"
    wsgi(page)
    assert stored(page)
    assert propose_symptom_link(editor_client, psoriasis, symptom).status_code == 302
    assert stored(page)  # proposed only
    revision = Revision.objects.filter(state=Revision.State.PENDING).get()
    assert decide(reviewer_client, revision, "publish").status_code == 302
    assert not stored(page)  # it lists psoriasis now
    assert b"/diseases/psoriasis/" in wsgi(page).content
    kept = [path for path in paths if stored(path)]
    assert all(wsgi(path).content == client.get(path).content for path in kept)


def list_pages(wsgi, start: str) -> list[str]:
    """A list's pages, from `start` through the next links each gives."""
    from imidkb.management.commands.buildpublic import next_page

    pages, path = [], start
    while path is not None:
        response = wsgi(path)
        assert response.status_code == 200, path
        pages.append(path)
        path = next_page(path, response.content)
    return pages


def test_every_page_of_every_list_in_every_order_is_a_document(kb, wsgi):
    """Enumerated from the URL conf (buildpublic.list_starts: every list,
    in each order its API offers): the first page in each order, and in
    the default one every page, in pages of 10 on the API, followed by the
    next links readers follow."""
    from imidkb.management.commands.buildpublic import list_starts

    client = Client()
    starts = list_starts()
    assert len([s for s in starts if s.startswith("/api/")]) >= 30
    assert len([s for s in starts if not s.startswith("/api/")]) >= 5
    paths = [start for start in starts if "?" in start]
    for start in starts:
        if "?" not in start:
            small = "?page_size=10" if start.startswith("/api/") else ""
            paths += list_pages(wsgi, start + small)
    assert len([path for path in paths if "page=" in path]) >= 10
    for path in paths:
        assert wsgi(path).status_code == 200, path
        assert stored(path), path
        assert queries(lambda path=path: wsgi(path)) == 1, path
        assert wsgi(path).content == client.get(path).content, path


@pytest.mark.parametrize(
    "query",
    [
        "kind=disease",  # a filter: a question, not a page
        "fields=name",
        "format=json",
        "page=1&page=2",  # twice
        "page",  # no value
        "search=arthritis",
    ],
)
def test_a_list_asked_anything_but_a_page_in_an_order_is_not_a_document(
    kb, wsgi, query
):
    for path in [f"/api/v1/diseases/?{query}", f"/diseases/?{query}"]:
        wsgi(path)
        assert not stored(path), path
    wsgi("/diseases/?ordering=name")  # a list page has no order to ask for
    assert not stored("/diseases/?ordering=name")


def test_a_write_deletes_every_list_that_shows_a_row_of_its_kind(kb, wsgi):
    """A list's page goes with any write of a row of a kind it shows (its
    rows, the choices of its filters), or of a row at their ends; the
    others stay and are what Django renders."""
    diseases = ["/api/v1/diseases/?ordering=-updated", "/diseases/?page=1"]
    symptoms = ["/api/v1/symptoms/", "/symptoms/"]  # the page names diseases
    drugs = ["/api/v1/drugs/", "/drugs/"]

    def build():
        for path in diseases + symptoms + drugs:
            assert wsgi(path).status_code == 200
            assert stored(path), path

    build()
    psoriasis = Disease.objects.get(slug="psoriasis")
    psoriasis.summary = "Edited: the most recently updated disease now."
    psoriasis.save()
    assert not any(stored(path) for path in [*diseases, "/symptoms/"])
    assert all(stored(path) for path in ["/api/v1/symptoms/", *drugs])
    assert wsgi(diseases[0]).json()["results"][0]["slug"] == "psoriasis"
    build()
    linked = psoriasis.symptom_links.values("symptom")
    symptom = Symptom.objects.published().exclude(pk__in=linked).first()
    DiseaseSymptom.objects.create(disease=psoriasis, symptom=symptom)
    assert not any(stored(path) for path in diseases + symptoms)
    assert all(stored(path) for path in drugs)
    build()
    # A new symptom: one of the disease list's filter choices.
    SymptomFactory(name="A newly published symptom", status=Status.PUBLISHED)
    assert not stored("/diseases/?page=1")
    assert all(stored(path) for path in drugs)
    assert "A newly published symptom" in wsgi("/diseases/?page=1").content.decode()
    client = Client()
    for path in diseases + symptoms + drugs:
        assert wsgi(path).content == client.get(path).content, path
