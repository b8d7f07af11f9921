"""The public response cache: anonymous readers' pages and API responses,
served in front of Django and keyed on the knowledge base's data version.

A repeat of a public GET costs one SQL statement (the data version) and no
pass through Django's request handling: the cache holds the status, every
header and the body exactly as the whole stack produced them the first time.
Any curated write bumps the data version, so every process renders afresh on
its very next request.

A record's address (its API detail, its page), asked for plainly (no query
string, no Origin, the default Accept on the API), and a page of a list of
records asked for with only a page, a page size and an ordering, are
answered from their public documents instead (kbframework.readmodel): one
statement reads the document with the data version, and the host asked on,
the data version headers, an ETag of the document's content and the Content-
Length are put in as it is served. It is stored by the first such request
that Django answers, and deleted by any write of what it shows, so that
publishing one record leaves every other record's answer in place.

What Django decides, it still decides: only responses that
:class:`PublicResponseMarkMiddleware` marks (an anonymous reader, a GET, a
200 from a public page or a knowledge-base API resource) are stored, and only
when they set no cookie and carry no CSP nonce. A request is served from the
cache only when nothing in it could change the answer: no session cookie, no
Authorization header, no conditional header but If-None-Match (answered here
with a 304 when it matches). The key holds everything a stored response can
vary on: scheme, host, path, query string, Accept and Origin.

A stored response is fresh for its seconds on the data version it was made
on, and kept for settings.STALE_IF_ERROR_SECONDS more: while the database is
unavailable (the data version cannot be read), it is served stale with an Age
header, as a shared cache does; a request with nothing stored goes to Django,
which answers 503 with Retry-After (imidkb.outage). The first request after
the database is back reads the version again, and everything is fresh.
"""

import hashlib
import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError
from django.utils.http import http_date, parse_etags

from kbframework import readmodel
from kbframework.models import DataVersion

logger = logging.getLogger("imidkb.outage")

# Conditional and range headers the cache leaves to Django.
BYPASS_HEADERS = (
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
    "HTTP_AUTHORIZATION",
)
# Never stored: the admin, static files (whitenoise), the health check, and
# the API's schema and docs (not knowledge-base data, no data version).
SKIP_PREFIXES = (
    "/admin/",
    "/static/",
    "/healthz",
    "/favicon.ico",
    "/api/schema/",
    "/api/docs/",
)
# Headers a 304 leaves out (RFC 9110 15.4.5: it has no content).
CONTENT_HEADERS = {"content-type", "content-length"}


class PublicResponseMarkMiddleware:
    """Mark the responses the public response cache may keep.

    Inside the stack (after authentication), so it knows who asked: only
    anonymous readers' GETs are marked, of public pages (HTML) or of API
    resources that carry an ETag (knowledge-base data, not the schema).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and not request.path.startswith(SKIP_PREFIXES)
            and not request.user.is_authenticated
            and not getattr(response, "streaming", False)
        ):
            if request.path.startswith("/api/"):
                seconds = settings.API_CACHE_SECONDS if "ETag" in response else 0
            elif response.get("Content-Type", "").startswith("text/html"):
                seconds = settings.PAGE_CACHE_SECONDS
            else:
                seconds = 0
            if seconds:
                response.kb_cache_seconds = seconds
                response.kb_document = readmodel.document_route(
                    getattr(request, "resolver_match", None),
                    request.META.get("QUERY_STRING", ""),
                )
        return response


class PublicResponseCache:
    """WSGI middleware around Django's application (see the module's doc)."""

    def __init__(self, application):
        self.application = application

    def request_key(self, environ) -> str | None:
        """What the response to this request can depend on, or None when the
        cache must leave the request to Django."""
        if not (settings.API_CACHE_SECONDS or settings.PAGE_CACHE_SECONDS):
            return None  # caching is off: no data version read, no lookup
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or path.startswith(SKIP_PREFIXES):
            return None
        if any(name in environ for name in BYPASS_HEADERS):
            return None
        if f"{settings.SESSION_COOKIE_NAME}=" in environ.get("HTTP_COOKIE", ""):
            return None
        parts = (
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("SERVER_NAME", ""),
            environ.get("SERVER_PORT", ""),
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
            environ.get("HTTP_ORIGIN", ""),
        )
        return hashlib.sha256("\x00".join(parts).encode("utf-8", "replace")).hexdigest()

    def document_request(self, environ):
        """(read model key, scheme, host) when this request may be answered
        by a record's public document: a plain GET of an address, with
        nothing of the reader's own in it and nothing Django would answer
        otherwise (a host it refuses, a redirect to HTTPS); else None."""
        query = environ.get("QUERY_STRING", "")
        if not readmodel.enabled() or not readmodel.is_list_query(query):
            return None  # a list's page may be one; anything else asked is not
        if environ.get("HTTP_ORIGIN") or environ.get("HTTP_IF_NONE_MATCH", "") == "*":
            return None  # CORS answers; If-None-Match: * goes to Django
        path = environ.get("PATH_INFO", "")
        if path.startswith("/api/") and environ.get("HTTP_ACCEPT", "") not in (
            "",
            "*/*",
            "application/json",
        ):
            return None  # the one answer stored is the default JSON
        try:
            # A copy: a request writes its decoded path into its environ.
            request = WSGIRequest(environ.copy())
            host = request.get_host()
        except Exception:  # DisallowedHost, a malformed host or path: Django's 4xx
            return None
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None
        return readmodel.key_for(
            request.scheme, f"{path}?{query}" if query else path
        ), host

    def __call__(self, environ, start_response):
        request_key = self.request_key(environ)
        if request_key is None:
            return self.application(environ, start_response)
        # Django's request_started: old connections closed, as for any
        # request, before the data version is read. Django sends it again on
        # a miss (harmless); request_finished is sent here on a hit only.
        signals.request_started.send(sender=self.__class__, environ=environ)
        key = f"imidkb:response:{request_key}"
        # A record's address: its public document (the read model), read
        # with the data version in one statement.
        address = self.document_request(environ)
        document = None
        try:
            if address is None:
                version = DataVersion.current()
            else:
                version, document = readmodel.fetch(address[0])
        except DatabaseError as exc:
            try:
                return self.outage(key, environ, start_response, exc)
            finally:
                signals.request_finished.send(sender=self.__class__)
        environ["imidkb.data_version"] = version  # the API reuses it
        if document is not None and self.throttle_allows(environ):
            try:
                return self.replay_document(
                    environ, start_response, version, document, address[1]
                )
            finally:
                signals.request_finished.send(sender=self.__class__)
        stamp = f"{version.number}:{version.changed.timestamp()}"
        stored = cache.get(key)
        fresh = (
            stored is not None
            and stored[0] == stamp
            and time.time() < stored[1] + stored[2]
        )
        if not fresh or not self.throttle_allows(environ):
            return self.store(key, stamp, environ, start_response, address, version)
        try:
            return self.replay(environ, start_response, *stored[3:])
        finally:
            signals.request_finished.send(sender=self.__class__)

    def replay_document(self, environ, start_response, version, document, host):
        from kbframework.api.renderers import RELEASE_HEADER, VERSION_HEADER

        body = readmodel.body_for(document, host)
        headers = readmodel.headers_for(document, host)
        if document["versioned"]:
            headers += [
                (RELEASE_HEADER, version.release_label),
                (VERSION_HEADER, str(version.number)),
                ("ETag", readmodel.etag(document, host)),
                ("Last-Modified", http_date(document["changed"].timestamp())),
            ]
        headers.append(("Content-Length", str(len(body))))
        return self.replay(environ, start_response, "200 OK", headers, body)

    def outage(self, key, environ, start_response, exc):
        """The data version cannot be read: the database is down (or
        locked). Serve the last response stored for this request, saying how
        old it is (Age, as a shared cache does, and X-KB-Stale)."""
        stored = cache.get(key)
        age = time.time() - stored[1] if stored is not None else None
        if (
            age is None
            or age > settings.STALE_IF_ERROR_SECONDS
            or not self.throttle_allows(environ)  # DRF answers the 429
        ):
            # Nothing to serve: Django tries (a passing failure, such as a
            # lock, may be over); if the database is down, it answers 503
            # with Retry-After (imidkb.outage), its security headers included.
            return self.application(environ, start_response)
        status, headers, body = stored[3:]
        headers = [*headers, ("Age", str(int(age))), ("X-KB-Stale", "database-down")]
        logger.warning(
            "Database unavailable, served stale (%d s old): %s: %s",
            age,
            environ.get("PATH_INFO", ""),
            exc,
        )
        return self.replay(environ, start_response, status, headers, body)

    def replay(self, environ, start_response, status, headers, body):
        # This client's own RateLimit fields, counted by throttle_allows().
        headers = [*headers, *environ.get("imidkb.ratelimit", [])]
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match is not None:
            etags = parse_etags(if_none_match)
            if etag is None or not (etag in etags or "*" in etags):
                # Django answers a mismatch the usual way; nothing to reuse.
                return self.application(environ, start_response)
            start_response(
                f"{HTTPStatus.NOT_MODIFIED.value} {HTTPStatus.NOT_MODIFIED.phrase}",
                [(k, v) for k, v in headers if k.lower() not in CONTENT_HEADERS],
            )
            return []
        start_response(status, headers)
        return [body]

    def store(self, key, stamp, environ, start_response, address, version):
        """Django's answer, kept: a record's address as its public document
        (with the rows it read), anything else in the response cache."""
        seen = {}

        def capture(status, headers, exc_info=None):
            # Sent on once the answer is known (Django never calls write()).
            seen["status"], seen["headers"], seen["exc_info"] = (
                status,
                headers,
                exc_info,
            )
            return lambda data: None

        with readmodel.capturing() as reads:
            response = self.application(environ, capture)
        seconds = getattr(response, "kb_cache_seconds", 0)
        status, headers = seen["status"], seen["headers"]
        if (
            not seconds
            or not status.startswith("200")
            or any(name.lower() == "set-cookie" for name, _ in headers)
            or any("'nonce-" in value for name, value in headers)
        ):
            start_response(status, headers, seen["exc_info"])
            return response
        try:
            body = b"".join(response)
        finally:
            response.close()
        # Fresh for `seconds` on this data version; kept longer, to be served
        # stale while the database is unavailable (outage), a record's
        # public document too.
        # RateLimit fields belong to the client that asked: not stored.
        kept = [(k, v) for k, v in headers if not k.lower().startswith("ratelimit")]
        entry = (stamp, time.time(), seconds, status, kept, body)
        cache.set(key, entry, seconds + settings.STALE_IF_ERROR_SECONDS)
        route = getattr(response, "kb_document", None)
        if address is not None and route is not None:
            return self.store_document(
                environ, start_response, address, route, reads, version, seen, body
            )
        start_response(status, headers)
        return [body]

    def store_document(
        self, environ, start_response, address, route, reads, version, seen, body
    ):
        key, host = address
        status, headers = seen["status"], seen["headers"]
        if readmodel.store(key, route, body, headers, reads, host, version.number):
            # Answered as every later request is, from the document, with
            # the RateLimit fields Django counted.
            environ["imidkb.ratelimit"] = [
                (k, v) for k, v in headers if k.lower().startswith("ratelimit")
            ]
            version, document = readmodel.fetch(key)
            if document is not None:
                return self.replay_document(
                    environ, start_response, version, document, host
                )
        start_response(status, headers)
        return [body]

    def throttle_allows(self, environ) -> bool:
        """Count a cached API hit against the anonymous rate, as DRF would.

        A refusal is left to Django, whose throttle then answers the 429
        (DRF does not record refused requests, so it is counted once).
        """
        if not environ.get("PATH_INFO", "").startswith("/api/"):
            return True
        from django.contrib.auth.models import AnonymousUser
        from rest_framework.settings import api_settings

        from imidkb.throttling import KBAnonRateThrottle

        if KBAnonRateThrottle not in api_settings.DEFAULT_THROTTLE_CLASSES:
            return True
        from kbframework.api.throttling import rate_limit_fields

        request = WSGIRequest(environ.copy())  # it rewrites PATH_INFO
        request.user = AnonymousUser()
        throttle = KBAnonRateThrottle()
        allowed = throttle.allow_request(request, None)
        environ["imidkb.ratelimit"] = rate_limit_fields([throttle])
        return allowed
