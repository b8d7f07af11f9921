"""Anonymous API rate limiting, shared by the fast cached path and DRF."""

from rest_framework.throttling import AnonRateThrottle


class KBAnonRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, counted once per request: when the public
    API cache middleware has already counted a request, DRF does not again."""

    def allow_request(self, request, view):
        if getattr(getattr(request, "_request", request), "kb_throttle_counted", False):
            return True
        return super().allow_request(request, view)
