"""Anonymous API rate limiting, shared by the public response cache and DRF."""

from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle


class KBAnonRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, under its own name: the public response cache
    (imidkb.response_cache) counts the hits it serves with it, DRF the rest.

    Its counters live in the "throttle" cache (settings.CACHES), not in the
    response cache: cached pages never push a counter out, and with REDIS_URL
    every app process counts against the same limit.
    """

    @property
    def cache(self):
        return caches["throttle"]
