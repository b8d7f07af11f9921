"""Anonymous API rate limiting, shared by the public response cache and DRF."""

from rest_framework.throttling import AnonRateThrottle


class KBAnonRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, under its own name: the public response cache
    (imidkb.response_cache) counts the hits it serves with it, DRF the rest."""
