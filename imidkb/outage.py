"""Answers while the database is unavailable: 503 with Retry-After, never a
500 (the public response cache serves what it holds, see response_cache).

A connection refused, dropped or timed out is Django's OperationalError or
InterfaceError: the request may well succeed a few seconds later, so the
client is told to retry. Any other database error (a bug, bad data) stays a
500, logged with its traceback.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from kbframework.api.exceptions import error_body

logger = logging.getLogger("imidkb.outage")

OUTAGE_ERRORS = (OperationalError, InterfaceError)
DETAIL = "The database is unavailable; please try again in a few seconds."
HTML = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Temporarily unavailable · IMID-KB</title></head>\n<body>\n  <main>\n"
    "    <h1>Temporarily unavailable</h1>\n"
    "    <p>The knowledge base cannot reach its database just now. Please try "
    "again in a few seconds.</p>\n"
    '    <p><a href="/">IMID-KB home</a></p>\n  </main>\n</body>\n</html>\n'
)


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


def unavailable(path: str) -> HttpResponse:
    """The 503: the API's JSON error shape under /api/, a page elsewhere."""
    if path.startswith("/api/"):
        response = JsonResponse(error_body(503, "unavailable", DETAIL), status=503)
    else:
        response = HttpResponse(HTML, status=503, content_type="text/html")
    response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view (or template) that cannot reach the database answers 503 with
    Retry-After instead of a 500. Errors raised in other middleware (a
    session read) are caught by the 500 handler (imidkb.views.server_error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_outage(exception):
            return None
        logger.warning("Database unavailable: %s: %s", request.path, exception)
        return unavailable(request.path)
