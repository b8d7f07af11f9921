"""Request guards and the client address."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe


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
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = "The query string contains a NUL byte."
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"status": 400, "error": "invalid_request", "detail": message},
                    status=400,
                )
            return HttpResponseBadRequest(message, content_type="text/plain")
        return self.get_response(request)


class PublicPageCacheMiddleware:
    """Serve anonymous readers' HTML pages from a cache keyed on the data
    version: one query (the version) per repeat, and any curated write makes
    every process render afresh on its very next request.

    Only public GETs of the site's pages are cached: not the admin, the API
    (which has its own), static files, logged-in editors (who may preview
    drafts), responses that set cookies, or anything but a 200.
    """

    SKIP = ("/admin/", "/api/", "/static/", "/healthz", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.cache import cache

        from imidkb.models import DataVersion

        if (
            not settings.PAGE_CACHE_SECONDS
            or request.method != "GET"
            or request.path.startswith(self.SKIP)
            or request.user.is_authenticated
        ):
            return self.get_response(request)
        version = DataVersion.current()
        stamp = f"{version.number}:{version.changed.timestamp()}"
        key = f"imidkb:page:{stamp}:{request.get_full_path()}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "streaming", False)
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(
                key,
                (response.content, response["Content-Type"]),
                settings.PAGE_CACHE_SECONDS,
            )
        return response


class PublicAPICacheMiddleware:
    """The API's fast path for anonymous readers: a response rendered for the
    same data version, URL and Accept header is sent without entering the
    view (one query: the data version). Throttling, conditional GET and the
    release headers still apply; staff always go through the view.
    """

    PREFIX = "/api/v1/"
    HEADERS = (
        "ETag",
        "Last-Modified",
        "X-KB-Release",
        "X-KB-Data-Version",
        "Link",
        "X-Total-Count",
        "Vary",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.cache import cache
        from rest_framework.settings import api_settings

        from imidkb.models import DataVersion
        from imidkb.throttling import KBAnonRateThrottle

        if (
            not settings.API_CACHE_SECONDS
            or request.method != "GET"
            or not request.path.startswith(self.PREFIX)
            or request.user.is_authenticated
        ):
            return self.get_response(request)
        if KBAnonRateThrottle in api_settings.DEFAULT_THROTTLE_CLASSES:
            throttle = KBAnonRateThrottle()
            if not throttle.allow_request(request, None):
                wait = throttle.wait()
                response = JsonResponse(
                    {
                        "status": 429,
                        "error": "throttled",
                        "detail": "Request was throttled.",
                    },
                    status=429,
                )
                if wait is not None:
                    response["Retry-After"] = str(int(wait) + 1)
                return response
            request.kb_throttle_counted = True
        version = DataVersion.current()
        request.kb_data_version = version  # the view reuses it: one read
        accept = request.META.get("HTTP_ACCEPT", "")
        stamp = f"{version.number}:{version.changed.timestamp()}"
        key = f"imidkb:api-public:{stamp}:{accept}:{request.get_full_path()}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type, headers = cached
            conditional = get_conditional_response(
                request,
                etag=headers.get("ETag"),
                last_modified=parse_http_date_safe(headers.get("Last-Modified", "")),
            )
            if conditional is not None and conditional.status_code == 304:
                response = HttpResponse(status=304)
            else:
                response = HttpResponse(content, content_type=content_type)
            for name, value in headers.items():
                response[name] = value
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies:
            headers = {
                name: response[name]
                for name in self.HEADERS
                if response.has_header(name)
            }
            if "ETag" in headers:  # a knowledge-base resource, not the schema
                cache.set(
                    key,
                    (response.content, response["Content-Type"], headers),
                    settings.API_CACHE_SECONDS,
                )
        return response
