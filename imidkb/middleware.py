"""Request guards and the client address."""

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
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = "The query string contains a NUL byte."
            if request.path.startswith("/api/"):
                return error_response(400, "invalid_request", message)
            return HttpResponseBadRequest(message, content_type="text/plain")
        return self.get_response(request)
