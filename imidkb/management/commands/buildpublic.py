"""manage.py buildpublic: store the public document (kbframework.readmodel)
of every published record's address, and of every page of every list of
records in each of its orders, as a reader's first visit would.

Each address is asked for through the production WSGI stack (the public
response cache, which stores what it renders), so a document is exactly the
answer a reader gets. Addresses already stored cost one read.
"""

import html
import json
import multiprocessing
import re
import sys
import time
from io import BytesIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import override_settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from imidkb.response_cache import PublicResponseCache
from kbframework import readmodel
from kbframework.models import PublicDocument
from kbframework.registry import registry


def addresses() -> list[str]:
    """Every record's address (record_addresses) and the first page of
    every list of records, in its default order (list_starts)."""
    return record_addresses() + [path for path in list_starts() if "?" not in path]


def record_addresses() -> list[str]:
    """The API detail and the page of every record the public may see, of
    every registered resource."""
    found = []
    for resource in registry.all_resources():
        model = resource.model
        for record in model.objects.restrict(None).order_by("pk"):
            if resource.api_prefix:
                try:
                    name = f"{model._meta.model_name}-detail"
                    found.append(reverse(name, kwargs={"slug": record.slug}))
                except NoReverseMatch:
                    pass
            if hasattr(record, "get_absolute_url"):
                found.append(record.get_absolute_url())
    return found


def list_routes(patterns=None, prefix: str = ""):
    """(path, view function) of every list of records in the URL conf
    (readmodel.route_model), whatever app registers it."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        # A router's patterns are regular expressions (^diseases/$).
        route = prefix + str(pattern.pattern).removeprefix("^").removesuffix("$")
        if isinstance(pattern, URLResolver):
            yield from list_routes(pattern.url_patterns, route)
        elif (
            # No parameter, no format suffix: one address.
            not re.search(r"[\\()\[\]<>?*+|]", route)
            and readmodel.route_model(pattern.callback)[1] == "list"
        ):
            yield "/" + route, pattern.callback


def list_starts() -> list[str]:
    """The first page of every list of records, in each order its API
    offers (ordering=, ascending and descending) and in its default one:
    the starts of the chains of pages a reader follows by their next links."""
    found = []
    for path, func in list_routes():
        orderings = getattr(getattr(func, "cls", None), "ordering_fields", None) or []
        found.append(path)
        found += [
            f"{path}?ordering={sign}{name}" for name in orderings for sign in ("", "-")
        ]
    return found


NEXT_LINK = re.compile(rb'<a rel="next" href="([^"]+)"')


def next_page(path: str, body: bytes) -> str | None:
    """The address of the next page that a list's page links to (the API's
    "next", a page's rel="next" link), or None."""
    link = None
    if path.startswith("/api/"):
        try:
            data = json.loads(body)
        except ValueError:
            return None
        link = data.get("next") if isinstance(data, dict) else None
    else:
        found = NEXT_LINK.search(body)
        if found:
            link = html.unescape(found.group(1).decode())
            link = path.split("?")[0] + link if link.startswith("?") else link
    if not isinstance(link, str):
        return None
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def ask(paths, scheme: str, host: str, follow: bool = False) -> dict[str, int]:
    """Ask for each path once (with `follow`, and for each page it links to
    as its next, in turn); the count of answers by status."""
    application = PublicResponseCache(WSGIHandler())
    statuses: dict[str, int] = {}
    pending = list(reversed(paths))
    while pending:
        path = pending.pop()
        seen = {}

        def start_response(status, headers, exc_info=None, seen=seen):
            seen["status"] = status.split()[0]

        address, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": address,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": host,
            "SERVER_PORT": "443" if scheme == "https" else "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": scheme,
            "wsgi.input": BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        answer = application(environ, start_response)
        body = b"".join(answer)
        if hasattr(answer, "close"):
            answer.close()
        status = seen.get("status", "?")
        statuses[status] = statuses.get(status, 0) + 1
        if follow and status == "200":
            following = next_page(path, body)
            if following is not None:
                pending.append(following)
    return statuses


def _ask_share(args):
    paths, scheme, host, follow = args
    connections.close_all()  # a forked process opens its own
    with unthrottled():
        return ask(paths, scheme, host, follow)


def unthrottled():
    """The build asks for every address from one client: not throttled."""
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    )


class Command(BaseCommand):
    help = (
        "Store the public document of every published record's API detail "
        "and page (the read model), as a reader's first visit would."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--clear", action="store_true", help="Delete every document first."
        )
        parser.add_argument(
            "--scheme",
            choices=["http", "https"],
            help="The scheme readers use (default: https when the site "
            "redirects to it, else http).",
        )
        parser.add_argument(
            "--jobs", type=int, default=1, help="Processes rendering at once."
        )

    def handle(self, *args, **options):
        if not readmodel.enabled():
            raise CommandError(
                "The read model is off (settings.READ_MODEL: DJANGO_READ_MODEL=1)."
            )
        started = time.monotonic()
        if options["clear"]:
            readmodel.clear()
        scheme = options["scheme"] or (
            "https" if settings.SECURE_SSL_REDIRECT else "http"
        )
        hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"]
        host = hosts[0] if hosts else "localhost"
        starts, records = list_starts(), record_addresses()
        jobs = max(1, options["jobs"])
        statuses: dict[str, int] = {}
        for paths, follow in [(records, False), (starts, True)]:
            for status, count in self.ask_all(paths, scheme, host, follow, jobs):
                statuses[status] = statuses.get(status, 0) + count
        stored = PublicDocument.objects.count()
        seconds = time.monotonic() - started
        answers = ", ".join(
            f"{count} x {status}" for status, count in sorted(statuses.items())
        )
        self.stdout.write(
            f"Asked for {sum(statuses.values())} addresses ({answers}: "
            f"{len(records)} records' and every page of {len(starts)} lists in "
            f"each of their orders); {stored} documents stored, in {seconds:.1f} s."
        )

    def ask_all(self, paths, scheme, host, follow, jobs):
        """(status, count) of the answers to `paths` asked for by `jobs`
        processes, each a share of them."""
        if jobs == 1:
            with unthrottled():
                return ask(paths, scheme, host, follow).items()
        connections.close_all()
        shares = [(paths[i::jobs], scheme, host, follow) for i in range(jobs)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return [
                pair
                for counts in pool.map(_ask_share, shares)
                for pair in counts.items()
            ]
