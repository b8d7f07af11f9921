"""Request guards, the client address and request ids."""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.http import HttpResponseBadRequest

from kbframework.api.exceptions import error_response


def client_ip(request) -> str:
    """The client's address, trusting only the configured number of proxies.

    With DJANGO_TRUSTED_PROXY_COUNT = N, the address N hops from the right of
    X-Forwarded-For (the one the outermost trusted proxy saw); with 0, the
    socket's peer. A client cannot choose its address by sending its own
    X-Forwarded-For header. This is how DRF's throttling picks it too
    (NUM_PROXIES), so login lockouts and API limits key on the same address.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if not count or not forwarded:
        return remote
    return forwarded[-min(count, len(forwarded))]


class RejectNullBytesMiddleware:
    """Refuse query strings carrying NUL bytes with a 400.

    No text field legitimately holds one, and PostgreSQL refuses them in
    queries: without this guard a NUL in a filter value would become a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = [
            key.replace("\x00", "\\0")
            for key, values in request.GET.lists()
            if "\x00" in key or any("\x00" in value for value in values)
        ]
        if bad:
            message = "The query string contains a NUL byte."
            if request.path.startswith("/api/"):
                return error_response(
                    400,
                    "invalid_request",
                    "The request has invalid parameters; see errors.",
                    {key: ["Contains a NUL byte."] for key in bad},
                )
            return HttpResponseBadRequest(message, content_type="text/plain")
        return self.get_response(request)


REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)


class RequestId:
    """WSGI middleware around everything (the public response cache
    included): each request gets an id, sent back in X-Request-ID and named
    in every log line written while it is handled.

    A well-formed X-Request-ID from the proxy in front is kept, so one id
    follows the request through both logs; anything else is replaced.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        given = environ.get("HTTP_X_REQUEST_ID", "")
        rid = given if REQUEST_ID_PATTERN.fullmatch(given) else uuid.uuid4().hex
        environ["HTTP_X_REQUEST_ID"] = rid

        def start(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", rid))
            return start_response(status, headers, exc_info)

        token = request_id.set(rid)
        try:
            return self.application(environ, start)
        finally:
            request_id.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Give every log record the id of the request being handled ("-" outside
    a request), for the formatter's %(request_id)s."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True
