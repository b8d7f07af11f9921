from io import StringIO

import pytest
from django.db import connection

from kbframework.fixtures import load_kb
from kbframework.registry import registry


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests when the suite runs on another database, and
    the tests that do not depend on the suite's database (`sqlite_run_only`)
    when it runs on PostgreSQL: CI runs the suite on both, and those once."""
    if connection.vendor == "postgresql":
        marker, reason = "sqlite_run_only", "runs in the SQLite run of the suite"
    else:
        marker, reason = (
            "requires_postgres",
            "needs DATABASE_URL pointing at PostgreSQL",
        )
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if marker in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def plain_static_files():
    """Serve static files by their plain names: the hashed, compressed names
    of production exist only after collectstatic (make serve runs it)."""
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Hash the tests' passwords with a fast hasher: every admin test makes a
    user, and an Argon2 hash costs about 0.1 s. The production hashers
    (imidkb.settings) are checked by the tests that set them back."""
    from django.test import override_settings

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with no cached response and no throttle counter."""
    from django.core.cache import caches

    for alias in ("default", "throttle"):
        caches[alias].clear()
    yield
    for alias in ("default", "throttle"):
        caches[alias].clear()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """`collectstatic` run once for the session, as make serve runs it (the
    hashed, compressed files and their manifest): the STATIC_ROOT for tests
    of production processes (DJANGO_STATIC_ROOT)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    root = tmp_path_factory.mktemp("staticfiles")
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "collectstatic-only",
        "DJANGO_STATIC_ROOT": str(root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return root


@pytest.fixture(scope="session")
def redis_url():
    """A Redis server of the suite's own (a free port, nothing saved to
    disk), for tests of what app processes share through it. Skipped when
    Debian's redis-server is not installed (.ci/run installs it)."""
    import shutil
    import socket
    import subprocess
    import time

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    from tests.servers import free_port

    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"redis-server did not start on port {port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The in-memory test database runs in deferred transactions.

    Production settings begin SQLite transactions IMMEDIATE, so that
    concurrent writers wait for one another (tests/test_concurrency.py checks
    it on an SQLite file, in its own process, with those settings). The suite's
    in-memory database is one shared-cache connection that the browser tests'
    live server also uses from its threads, and there BEGIN IMMEDIATE makes a
    request inside a test's transaction fail with "database table is locked".
    """
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    options.pop("transaction_mode", None)
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A throw-away test database: commits need not wait for the disk
        # (the knowledge base loads, transactional tests and drills commit).
        options["options"] = "-c synchronous_commit=off"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the curated knowledge base once per test process (make test runs
    one per core, pytest-xdist). Each test runs in a transaction
    that is rolled back, so every test starts with it loaded; tests that need
    an empty database ask for `empty_kb`. (Transactional tests run last and
    empty the database themselves.)"""
    with django_db_blocker.unblock():
        load_kb()


@pytest.fixture
def kb(db):
    """The curated knowledge base, as loaded from fixtures/ for the session."""


def wipe_kb() -> None:
    """Delete every knowledge-base row (inside the test's transaction)."""
    from django.apps import apps
    from django.db import connection

    labels = [label for _f, labels in registry.fixture_file_pairs() for label in labels]
    models = [apps.get_model(label) for label in reversed(labels)]
    models += [
        apps.get_model("imidkb", name)
        for name in (
            "SearchKey",
            "SearchTerm",
            "LoadedRecord",
            "PublicDocumentRead",
            "PublicDocument",
        )
    ]
    with connection.cursor() as cursor:
        for model in models:
            for m2m in model._meta.many_to_many:
                if m2m.remote_field.through._meta.auto_created:
                    table = m2m.remote_field.through._meta.db_table
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


@pytest.fixture
def empty_kb(db):
    """An empty knowledge base, for tests that load or count from nothing."""
    wipe_kb()


@pytest.fixture
def flushed_db(transactional_db):
    """A committed-to, empty database (flushed, permissions recreated)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@example.org", password="correct-horse-battery"
    )


@pytest.fixture
def admin_client(superuser):
    """A client logged in as a superuser (separate from the anonymous `client`)."""
    from django.test import Client

    admin = Client()
    admin.force_login(superuser)
    return admin


def member_of(django_user_model, username: str, group: str):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username=username, password="a-long-enough-passphrase", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    """A member of the Editors group (loaded from fixtures/groups.json)."""
    return member_of(django_user_model, "edna-editor", "Editors")


@pytest.fixture
def reviewer(db, django_user_model):
    """A member of the Reviewers group."""
    return member_of(django_user_model, "rita-reviewer", "Reviewers")


def logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor):
    return logged_in(editor)


@pytest.fixture
def reviewer_client(reviewer):
    return logged_in(reviewer)


class WSGIResponse:
    """What the production WSGI application answered."""

    def __init__(self, status: str, headers: list, body: bytes):
        self.status_code = int(status.split()[0])
        self.header_list = headers
        self.headers = {name.lower(): value for name, value in headers}
        self.content = body

    def __getitem__(self, name):
        return self.headers[name.lower()]

    def json(self):
        import json

        return json.loads(self.content)


def _disconnect_close_old_connections():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture
def keep_test_connection():
    """For tests that call a WSGI application directly: like Django's test
    client, keep the request signals from closing the test's connection
    (which would end its transaction). Django's test client connects them
    again after each of its requests, so `wsgi` disconnects them before each
    of its own as well."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    _disconnect_close_old_connections()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi(db, keep_test_connection):
    """GET through `imidkb.wsgi.application`, the public response cache in
    front of Django, as gunicorn calls it."""
    from django.test import RequestFactory

    from imidkb.wsgi import application

    factory = RequestFactory()

    def get(path, remote_addr="127.0.0.1", **headers):
        seen = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"], seen["headers"] = status, response_headers

        environ = factory.get(path, headers=headers, REMOTE_ADDR=remote_addr).environ
        # The path as a WSGI server passes it (its bytes as ISO-8859-1), not
        # as the factory's request left it (decoded).
        environ["PATH_INFO"] = environ["PATH_INFO"].encode().decode("iso-8859-1")
        _disconnect_close_old_connections()
        result = application(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return WSGIResponse(seen["status"], seen["headers"], body)

    return get


# The tests that read a large knowledge base (the curated one with
# `synthkb --diseases 1000` on top) share one: they are marked with this
# xdist group, so that one worker builds it once (make test: --dist loadgroup).
SYNTHETIC = pytest.mark.xdist_group("synthkb")


@pytest.fixture(scope="session")
def synthetic_snapshot(django_db_setup, django_db_blocker):
    """What every export writer reads (imidkb.exports.Snapshot), of the
    curated knowledge base with 1000 synthetic diseases added (rolled back
    after): written once per test process."""
    from django.core.management import call_command
    from django.db import transaction

    from imidkb.exports import live_snapshot

    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test on this process may have emptied the database
        # (they run last, but not always before this).
        if not registry.released()[0].model.objects.exists():
            load_kb()
        call_command("synthkb", diseases=1000, stdout=StringIO())
        snapshot = live_snapshot()
        transaction.set_rollback(True)
    return snapshot


# What storing a public document (a record's, a list page's) adds to the
# first visit of its address through the WSGI stack (readmodel.store, inside
# a test's transaction): the data version's lock, the document stored
# before, the insert of it and of the rows it read, a savepoint and its
# release, and the read back it is answered from.
DOCUMENT_STORE = 7


def first_visit_queries(url: str, rendering: int) -> int:
    """SQL statements of a first visit through the WSGI stack: rendering,
    and for a document's address (kbframework.readmodel) its store."""
    from urllib.parse import urlsplit

    from django.urls import resolve

    from kbframework import readmodel

    parts = urlsplit(url)
    if readmodel.document_route(resolve(parts.path), parts.query) is None:
        return rendering
    return rendering + DOCUMENT_STORE
