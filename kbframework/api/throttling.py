"""The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10): what
a rate-limited client may still ask, on every answer, not only on the 429.

    RateLimit-Policy: "anon";q=1000;w=3600     the quota and its window (s)
    RateLimit: "anon";r=998;t=3541             requests left, seconds to reset

Read from DRF's own throttles after they counted the request (a
SimpleRateThrottle keeps the times of the requests of its window in
`history`, newest first): nothing is counted twice.
"""

import math


def rate_limit_fields(throttles) -> list[tuple[str, str]]:
    """(header, value) pairs for the throttles that limit this request."""
    policies, limits = [], []
    for throttle in throttles:
        num_requests = getattr(throttle, "num_requests", None)
        duration = getattr(throttle, "duration", None)
        history = getattr(throttle, "history", None)
        if not num_requests or not duration or history is None:
            continue  # no rate set, or the request is not counted (staff)
        name = getattr(throttle, "scope", None) or "default"
        now = getattr(throttle, "now", None)
        remaining = max(num_requests - len(history), 0)
        if history and now is not None:
            reset = max(math.ceil(history[-1] + duration - now), 0)
        else:
            reset = int(duration)
        policies.append(f'"{name}";q={num_requests};w={int(duration)}')
        limits.append(f'"{name}";r={remaining};t={reset}')
    if not policies:
        return []
    return [("RateLimit-Policy", ", ".join(policies)), ("RateLimit", ", ".join(limits))]
