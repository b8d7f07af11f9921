"""manage.py buildpublic: store the public document (kbframework.readmodel)
of every published record's address, as a reader's first visit would.

Each address is asked for through the production WSGI stack (the public
response cache, which stores what it renders), so a document is exactly the
answer a reader gets. Addresses already stored cost one read.
"""

import multiprocessing
import sys
import time
from io import BytesIO

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse

from imidkb.response_cache import PublicResponseCache
from kbframework import readmodel
from kbframework.models import PublicDocument
from kbframework.registry import registry


def addresses() -> list[str]:
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


def ask(paths, scheme: str, host: str) -> dict[str, int]:
    """Ask for each path once; the count of answers by status."""
    application = PublicResponseCache(WSGIHandler())
    statuses: dict[str, int] = {}
    for path in paths:
        seen = {}

        def start_response(status, headers, exc_info=None, seen=seen):
            seen["status"] = status.split()[0]

        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
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
        body = application(environ, start_response)
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()
        statuses[seen.get("status", "?")] = statuses.get(seen.get("status", "?"), 0) + 1
    return statuses


def _ask_share(args):
    paths, scheme, host = args
    connections.close_all()  # a forked process opens its own
    with unthrottled():
        return ask(paths, scheme, host)


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
        paths = addresses()
        jobs = max(1, options["jobs"])
        if jobs == 1:
            with unthrottled():
                statuses = ask(paths, scheme, host)
        else:
            connections.close_all()
            shares = [(paths[i::jobs], scheme, host) for i in range(jobs)]
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                statuses = {}
                for counts in pool.map(_ask_share, shares):
                    for status, count in counts.items():
                        statuses[status] = statuses.get(status, 0) + count
        stored = PublicDocument.objects.count()
        seconds = time.monotonic() - started
        answers = ", ".join(
            f"{count} x {status}" for status, count in sorted(statuses.items())
        )
        self.stdout.write(
            f"Asked for {len(paths)} addresses ({answers}); {stored} documents "
            f"stored, in {seconds:.1f} s."
        )
