"""Anonymous API limits hold: throttle counters have a cache of their own,
shared by every app process through Redis."""

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory, override_settings
from rest_framework.throttling import AnonRateThrottle

from imidkb.throttling import KBAnonRateThrottle

pytestmark = pytest.mark.django_db

API = "/api/v1/diseases/psoriasis/"


def test_limits_hold_after_a_flood_of_distinct_clients(kb, wsgi, monkeypatch):
    """One client's counter survives 350 other clients' requests (and the
    responses they cache): its fourth request within the minute is refused.
    In a cache shared with the responses (300 entries) it was pushed out."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    victim = "10.0.0.1"
    assert [wsgi(API, remote_addr=victim).status_code for _ in range(3)] == [200] * 3
    flood = [
        wsgi(
            f"/api/v1/diseases/?page_size={1 + n % 50}",
            remote_addr=f"10.1.{n // 250}.{n % 250}",
        )
        for n in range(350)
    ]
    assert {response.status_code for response in flood} == {200}
    refused = wsgi(API, remote_addr=victim)
    assert refused.status_code == 429
    assert "retry-after" in refused.headers


def worker_throttle(cache):
    """The throttle as another app process runs it: its own cache client."""

    class OtherWorkerThrottle(KBAnonRateThrottle):
        pass

    OtherWorkerThrottle.cache = cache
    return OtherWorkerThrottle()


def test_with_redis_every_worker_counts_against_one_limit(
    kb, client, redis_url, monkeypatch
):
    """Two workers, each with its own Redis client: the fourth request of one
    client address is refused whichever worker it reaches. (With each
    process's memory, each worker would allow three.)"""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    options = {"KEY_PREFIX": "imidkb-throttle"}
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            **options,
        },
    }
    other_worker = worker_throttle(RedisCache(redis_url, options))
    request = RequestFactory().get(API, REMOTE_ADDR="127.0.0.1")
    request.user = None
    with override_settings(CACHES=caches):
        from django.core.cache import caches as handler

        handler["throttle"].clear()
        try:
            seen = [
                client.get(API).status_code,
                other_worker.allow_request(request, None),
                client.get(API).status_code,
                other_worker.allow_request(request, None),
                client.get(API).status_code,
            ]
        finally:
            handler["throttle"].clear()
    assert seen == [200, True, 200, False, 429]
