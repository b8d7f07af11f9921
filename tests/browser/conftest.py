"""Fixtures for the browser tests: Debian's Chromium, driven by Playwright.

Pages come from one live server for the run (`kb_server`: a real HTTP server in
a thread of this process, which also serves static files, over the knowledge
base loaded once) and from nowhere else: the
browser is started with its background networking off, and the tests assert
that no request leaves the live server. axe-core's script comes from the
axe-playwright-python package, so nothing is fetched at test time.

Without Chromium at CHROMIUM_PATH (default /usr/bin/chromium) every browser
test is skipped, saying so. Set BROWSER_SCREENSHOTS to a directory to keep a
full-page screenshot of every page visited.
"""

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEVERE_IMPACTS = ("serious", "critical")
BROWSER_TESTS = Path(__file__).parent


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last, after pytest-django's own reordering.

    While Playwright's sync API is running, this thread looks like it runs an
    asyncio loop, so Django's ORM needs DJANGO_ALLOW_ASYNC_UNSAFE (see
    `browser`). The browser lives for the session: running its tests last keeps
    every other test out of that state."""
    browser_items = [item for item in items if BROWSER_TESTS in item.path.parents]
    others = [item for item in items if BROWSER_TESTS not in item.path.parents]
    items[:] = others + browser_items


def chromium_missing() -> str | None:
    """Why Chromium cannot be used here, or None when it can."""
    path = Path(CHROMIUM_PATH)
    if not path.is_file():
        return f"Chromium not found at {CHROMIUM_PATH}: apt-get install chromium"
    if not os.access(path, os.X_OK):
        return f"Chromium at {CHROMIUM_PATH} is not executable"
    return None


@pytest.fixture(scope="session")
def browser(kb_server: "LiveServer") -> Iterator[Any]:
    """One headless Chromium for the whole session (skips the test without it).

    It needs the live server, so it closes first: its keep-alive connections
    end, and with them the server threads holding database connections."""
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright is not installed: pip install -e .[dev]",
    )
    with pytest.MonkeyPatch.context() as env, sync_api.sync_playwright() as pw:
        # Playwright's sync API marks an asyncio loop as running in this thread
        # between its calls, and Django then refuses ORM calls (loading the
        # knowledge base, flushing after each test) as if they came from async
        # code. They do not: allow them while the browser is up.
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in a fresh browser context (no cookies or cache shared)."""
    context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    yield page
    context.close()


@dataclass(frozen=True)
class ConsoleError:
    """An error the page logged; `url` is where it arose (a resource that failed
    to load, or a script), empty for uncaught exceptions."""

    text: str
    url: str = ""

    def __str__(self) -> str:
        return f"{self.text} ({self.url})" if self.url else self.text


@dataclass
class PageLog:
    """What a page did: every request's URL and every console error."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[ConsoleError] = field(default_factory=list)


@pytest.fixture
def page_log(page: Any) -> PageLog:
    """Record the page's requests and console errors (uncaught ones included)."""
    log = PageLog()

    def on_console(message: Any) -> None:
        if message.type == "error":
            url = message.location.get("url", "")
            log.console_errors.append(ConsoleError(message.text, url))

    def on_page_error(error: Any) -> None:
        log.console_errors.append(ConsoleError(f"uncaught {error}"))

    page.on("request", lambda request: log.requests.append(request.url))
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return log


ADMIN_USERNAME = "csp-admin"
ADMIN_PASSWORD = "a-long-enough-passphrase"


@dataclass(frozen=True)
class LiveServer:
    url: str


@pytest.fixture(scope="session")
def kb_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """One live server (a real HTTP server in a thread of this process, which
    also serves static files) for every browser test, over the knowledge base
    committed once for the whole run.

    pytest-django's `live_server` makes each test transactional, so the
    database was flushed after every browser test and each test loaded the
    knowledge base again (most of the browser tests' time). Here the data is
    committed once, with the admin test's account; each test then runs in a
    transaction (the `django_db` mark) that is rolled back, and the server
    reads the committed data (PostgreSQL: its own connection; in-memory
    SQLite: the test's connection, shared as Django's live server does).
    """
    from django.contrib.auth.models import User
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    from diseases.models import Disease
    from kbframework.fixtures import load_kb

    with django_db_blocker.unblock():
        # A transactional test that ran before may have flushed the database.
        if not Disease.objects.exists():
            load_kb()
        if not User.objects.filter(username=ADMIN_USERNAME).exists():
            User.objects.create_superuser(
                ADMIN_USERNAME, "csp@example.org", ADMIN_PASSWORD
            )
        shared = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        for conn in shared.values():
            conn.inc_thread_sharing()
        # Static files found where collectstatic finds them (as
        # StaticLiveServerTestCase serves them), not from STATIC_ROOT, which
        # holds nothing unless something ran collectstatic into it.
        thread = LiveServerThread(
            "localhost", StaticFilesHandler, connections_override=shared, port=0
        )
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
    yield LiveServer(f"http://localhost:{thread.port}")
    with django_db_blocker.unblock():
        thread.terminate()
        # Request threads close their database connections when their
        # (keep-alive) connection ends: wait for them, or PostgreSQL refuses
        # to drop the test database that they are still using.
        for other in threading.enumerate():
            if "process_request_thread" in other.name:
                other.join(timeout=10)
        for conn in shared.values():
            conn.dec_thread_sharing()
        end_leftover_sessions()


def end_leftover_sessions() -> None:
    """End PostgreSQL sessions on the test database that the server's threads
    left behind (one idle session stays after the last request, its thread
    gone), so that pytest-django can drop the database at the end of the run.
    Nothing else uses the test database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def live(kb_server: LiveServer, db: None) -> LiveServer:
    """The live server, for a test that runs in a rolled-back transaction."""
    return kb_server


@dataclass(frozen=True)
class AxeViolation:
    """One serious or critical axe-core rule violation and where it fails."""

    id: str
    impact: str
    help: str
    help_url: str
    targets: list[str]

    def __str__(self) -> str:
        nodes = "".join(f"\n    {target}" for target in self.targets)
        return f"{self.id} ({self.impact}): {self.help} <{self.help_url}>{nodes}"


def axe_violations(page: Any) -> list[AxeViolation]:
    """Run axe-core on the page; return its serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe, AxeResults

    axe = Axe()
    # axe-core is injected once per page load (the 360 px check of the same
    # load reuses it): half a megabyte of script evaluated once, not twice.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe.axe_script)
    options = axe._format_script_args(
        context=None, options={"resultTypes": ["violations"]}
    )
    results = AxeResults(page.evaluate(f"axe.run({options})"))
    return [
        AxeViolation(
            id=violation["id"],
            impact=violation["impact"],
            help=violation["help"],
            help_url=violation["helpUrl"],
            targets=[
                " ".join(str(selector) for selector in node["target"])
                for node in violation["nodes"]
            ],
        )
        for violation in results.response["violations"]
        if violation["impact"] in SEVERE_IMPACTS
    ]


def save_screenshot(page: Any, name: str) -> Path | None:
    """Save a full-page PNG as $BROWSER_SCREENSHOTS/<name>.png, if that is set."""
    directory = os.environ.get("BROWSER_SCREENSHOTS")
    if not directory:
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"
    path = Path(directory) / f"{slug}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    return path
