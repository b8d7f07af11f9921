"""Release-pinned reads: a release's frozen records by number, `latest`, and
the diff between two releases. One pair of releases for the module: release
1, psoriasis's summary changed through the editor's proposal and the
reviewer's publishing, release 2."""

import json

import pytest
from django.db import transaction
from django.test import Client

from diseases.models import Disease
from imidkb.pinned import frozen_release, url_key
from imidkb.releases import cut_release, sha256
from kbframework import revisions
from kbframework.models import Release
from tests.conftest import logged_in, member_of
from tests.kbframework.test_revisions import propose_summary

NEW_SUMMARY = "A summary published between the two releases."


@pytest.fixture(scope="module")
def two_releases(django_db_setup, django_db_blocker):
    """(release 1, release 2, psoriasis's summary in release 1), in a
    transaction rolled back after the module (each test nests in it)."""
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock(), transaction.atomic():
        users = get_user_model()
        editor = member_of(users, "pinned-editor", "Editors")
        reviewer = member_of(users, "pinned-reviewer", "Reviewers")
        psoriasis = Disease.objects.get(slug="psoriasis")
        old_summary = psoriasis.summary
        first = cut_release(note="before")
        revision = propose_summary(logged_in(editor), psoriasis, NEW_SUMMARY, "test")
        revisions.publish(reviewer, revision)
        second = cut_release(note="after")
        yield first, second, old_summary
        transaction.set_rollback(True)


@pytest.fixture
def releases(two_releases, db):
    return two_releases


def test_a_release_reads_as_it_was_cut_and_live_reads_the_edit(releases, client):
    first, second, old_summary = releases
    assert old_summary != NEW_SUMMARY
    pinned = client.get(f"/api/v1/releases/{first.number}/diseases/psoriasis/")
    assert pinned.status_code == 200
    assert pinned.json()["summary"] == old_summary
    assert pinned["X-KB-Release"] == str(first.number)
    assert pinned["Cache-Control"] == "public, max-age=31536000, immutable"
    newer = client.get(f"/api/v1/releases/{second.number}/diseases/psoriasis/")
    assert newer.json()["summary"] == NEW_SUMMARY
    assert client.get("/api/v1/diseases/psoriasis/").json()["summary"] == NEW_SUMMARY
    # The list holds the same frozen record, paginated like the live API.
    page = client.get(f"/api/v1/releases/{first.number}/diseases/?page_size=500")
    body = page.json()
    assert body["count"] == first.counts["diseases"] == int(page["X-Total-Count"])
    (row,) = [r for r in body["results"] if r["slug"] == "psoriasis"]
    assert row == pinned.json()
    # Unchanged since: a 304.
    again = client.get(pinned.request["PATH_INFO"], HTTP_IF_NONE_MATCH=pinned["ETag"])
    assert again.status_code == 304


def test_every_resource_of_a_release_is_listed_and_each_record_read_by_its_key(
    releases, client
):
    """Enumerated from the release's own content: every resource its file
    holds (a link kind's rows by their natural key, parts joined by ~)."""
    first, _second, _old = releases
    detail = client.get(f"/api/v1/releases/{first.number}/").json()
    data = json.loads(bytes(Release.objects.get(pk=first.pk).json_data))
    assert set(detail["resources"]) == set(data["resources"]) == set(first.counts)
    frozen = frozen_release(first.number, first.json_sha256)
    for prefix, url in detail["resources"].items():
        listing = client.get(f"{url}?page_size=1")
        assert listing.status_code == 200, url
        assert listing.json()["count"] == len(data["resources"][prefix])
        key = sorted(first.manifest[prefix])[-1]
        record = client.get(f"{url}{url_key(key)}/")
        assert record.status_code == 200, (url, key)
        assert record.json() == frozen.record(prefix, key)
    # A link row's key has its ends' slugs; an empty optional end stays.
    assert any("/" in key for key in first.manifest["disease-symptoms"])
    empty_end = next(k for k in first.manifest["indications"] if "//" in k)
    url = f"/api/v1/releases/{first.number}/indications/{url_key(empty_end)}/"
    assert client.get(url).status_code == 200


def test_the_diff_lists_the_change_with_its_old_and_new_value(releases, client):
    first, second, old_summary = releases
    a, b = first.number, second.number
    diff = client.get(f"/api/v1/releases/{a}/diff/{b}/")
    assert diff.status_code == 200
    body = diff.json()
    assert (body["from"]["number"], body["to"]["number"]) == (a, b)
    changed = {c["key"]: c["fields"] for c in body["resources"]["diseases"]["changed"]}
    assert changed["psoriasis"]["summary"] == {"old": old_summary, "new": NEW_SUMMARY}
    assert body["resources"]["diseases"]["added"] == []
    # The keys are the manifests': what the second release's changelog says.
    for prefix, keys in second.changelog["changed"].items():
        assert [c["key"] for c in body["resources"][prefix]["changed"]] == keys
    assert body["changes"]["changed"] == sum(
        len(keys) for keys in second.changelog["changed"].values()
    )
    back = client.get(f"/api/v1/releases/{b}/diff/{a}/").json()
    changed = {c["key"]: c["fields"] for c in back["resources"]["diseases"]["changed"]}
    assert changed["psoriasis"]["summary"] == {"old": NEW_SUMMARY, "new": old_summary}
    same = client.get(f"/api/v1/releases/{a}/diff/{a}/").json()
    assert same["resources"] == {}
    assert same["changes"] == {"added": 0, "changed": 0, "retired": 0}


def test_latest_redirects_every_release_path_with_its_query(releases, client):
    _first, second, _old = releases
    n = second.number
    for rest, query in (
        ("", ""),
        ("download.json/", ""),
        ("download.zip/", ""),
        ("diseases/", "?page_size=2&page=2"),
        ("disease-symptoms/", ""),
        ("diseases/psoriasis/", ""),
        ("diff/1/", ""),
    ):
        response = client.get(f"/api/v1/releases/latest/{rest}{query}")
        assert response.status_code == 307, rest
        location = f"http://testserver/api/v1/releases/{n}/{rest}{query}"
        assert response["Location"] == location
        assert client.get(location).status_code == 200, location


def test_unknown_numbers_resources_and_keys_are_json_404s(releases, client):
    first, second, _old = releases
    n, missing = first.number, second.number + 1
    for path in (
        f"/api/v1/releases/{missing}/diseases/",
        f"/api/v1/releases/{missing}/diseases/psoriasis/",
        f"/api/v1/releases/{n}/diff/{missing}/",
        f"/api/v1/releases/{missing}/diff/{n}/",
        f"/api/v1/releases/{n}/no-such-resource/",
        f"/api/v1/releases/{n}/diseases/no-such-disease/",
        # A link row's key with / between its parts is not its address.
        f"/api/v1/releases/{n}/disease-symptoms/"
        + sorted(first.manifest["disease-symptoms"])[0]
        + "/",
        f"/api/v1/releases/{'9' * 30}/diseases/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["status"] == 404, path


def test_a_release_cut_before_a_resource_existed_has_none_of_it(releases, client):
    """A release whose file holds no drugs (as one cut before they were a
    resource would): its drugs are a 404, its other resources are read."""
    first, second, _old = releases
    data = json.loads(bytes(Release.objects.get(pk=first.pk).json_data))
    del data["resources"]["drugs"]
    data["release"]["number"] = number = second.number + 1
    payload = json.dumps(data).encode()
    counts = {k: v for k, v in first.counts.items() if k != "drugs"}
    Release.objects.create(
        number=number,
        cut_at=first.cut_at,
        data_version=first.data_version,
        counts=counts,
        manifest={k: v for k, v in first.manifest.items() if k != "drugs"},
        json_data=payload,
        json_sha256=sha256(payload),
        csv_zip=b"",
        csv_zip_sha256=sha256(b""),
    )
    assert client.get(f"/api/v1/releases/{number}/drugs/").status_code == 404
    assert client.get(f"/api/v1/releases/{number}/diseases/").status_code == 200
    assert "drugs" not in client.get(f"/api/v1/releases/{number}/").json()["resources"]
    diff = client.get(f"/api/v1/releases/{first.number}/diff/{number}/").json()
    assert diff["resources"]["drugs"]["retired"] == sorted(first.manifest["drugs"])


# A pinned read: the release's row (its JSON is parsed once per process,
# one query more the first time); a diff: both rows (and their manifests,
# once). Nothing live is read, the data version neither.
PINNED_QUERIES = 1


def test_pinned_reads_take_one_query(releases, django_assert_num_queries):
    first, second, _old = releases
    client = Client()
    n = first.number
    paths = [
        f"/api/v1/releases/{n}/diseases/?page_size=50",
        f"/api/v1/releases/{n}/diseases/psoriasis/",
        f"/api/v1/releases/{n}/disease-symptoms/?page_size=1",
        f"/api/v1/releases/{n}/diff/{second.number}/",
    ]
    for path in paths:
        client.get(path)  # parsed (and diffed) once for the process
    for path in paths:
        with django_assert_num_queries(PINNED_QUERIES):
            assert client.get(path).status_code == 200, path
    # latest: the data version and the newest release's number.
    with django_assert_num_queries(2):
        assert client.get("/api/v1/releases/latest/diseases/").status_code == 307
