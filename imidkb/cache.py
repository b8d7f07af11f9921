"""Django's Redis cache, made to degrade instead of fail when Redis is down.

Both caches (responses and throttle counters) live in Redis when REDIS_URL
is set. Django's RedisCache raises on a refused or timed-out connection, and
every request, public pages included, would answer 500. Here a Redis outage
reads as an empty cache: pages are rendered afresh, throttling lets requests
through (it cannot count), and each failure is logged once a minute per
process, not per request. django-redis has this (IGNORE_EXCEPTIONS); the
built-in backend does not, and a subclass of its client is a few lines.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("imidkb.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# What each client call answers while Redis cannot be reached: a miss.
ON_OUTAGE = {
    "add": False,
    "get": None,
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "set_many": [],
    "delete_many": None,
}


class DegradingRedisCacheClient(RedisCacheClient):
    _last_warning = 0.0

    def _outage(self, name, error):
        now = time.monotonic()
        if now - DegradingRedisCacheClient._last_warning > 60:
            DegradingRedisCacheClient._last_warning = now
            logger.warning(
                "Redis unreachable (%s): cache %s treated as a miss", error, name
            )


def _degrading(name):
    method = getattr(RedisCacheClient, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            self._outage(name, error)
            if name == "get":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            return ON_OUTAGE[name]

    call.__name__ = name
    return call


for _name in ON_OUTAGE:
    setattr(DegradingRedisCacheClient, _name, _degrading(_name))


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient
