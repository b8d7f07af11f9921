"""The physical limit of this machine: a WSGI app returning a fixed 5 KB JSON
body, served the same way as the knowledge base (gunicorn, 2 sync workers)."""

import json

BODY = json.dumps(
    {
        "results": [
            {"slug": f"disease-{i}", "name": f"Disease {i}", "n": i} for i in range(110)
        ]
    }
).encode()[:5046]


def application(environ, start_response):
    start_response(
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))],
    )
    return [BODY]
