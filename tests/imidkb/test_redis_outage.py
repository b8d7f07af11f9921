"""With REDIS_URL set and Redis down, nothing answers 500: the caches read
as empty (imidkb.cache), pages are rendered afresh, throttling lets
requests through."""

import time

import pytest
from django.test import override_settings

from imidkb.cache import DegradingRedisCache
from imidkb.throttling import KBAnonRateThrottle
from tests.servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_port():
    return free_port()  # nothing listens on it


def down(port):
    return {
        "BACKEND": "imidkb.cache.DegradingRedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


def test_every_cache_call_is_a_miss_and_quick(closed_port):
    cache = DegradingRedisCache(down(closed_port)["LOCATION"], down(closed_port))
    started = time.monotonic()
    assert cache.get("key") is None
    assert cache.get("key", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("key", 1) is False
    assert cache.has_key("key") is False
    cache.set("key", 1)
    cache.set_many({"a": 1})
    cache.delete("key")
    cache.delete_many(["a"])
    assert time.monotonic() - started < 10


def test_pages_and_api_answer_while_redis_is_down(kb, client, closed_port, monkeypatch):
    caches = {"default": down(closed_port), "throttle": down(closed_port)}
    with override_settings(CACHES=caches):
        from django.core.cache import caches as handler

        monkeypatch.setattr(KBAnonRateThrottle, "cache", handler["throttle"])
        for url in ("/", "/diseases/psoriasis/", "/api/v1/diseases/psoriasis/"):
            assert client.get(url).status_code == 200, url
