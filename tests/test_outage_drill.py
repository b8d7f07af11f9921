"""The outage drill on PostgreSQL, as in production: gunicorn with two
workers sharing a Redis cache, their database connections through a TCP
relay that the test cuts (connections reset, then refused, as when
PostgreSQL stops) and restores. The shared cluster is never touched.

Under load while the database is gone: no 500; cached pages and API
responses 200 with Age; the rest 503 with Retry-After; full service on the
first requests after it is back.
"""

import contextlib
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.servers import gunicorn

BASE_DIR = Path(settings.BASE_DIR)
CACHED = ["/", "/diseases/psoriasis/", "/api/v1/diseases/psoriasis/"]
NOT_CACHED = ["/diseases/crohns-disease/", "/api/v1/drug-classes/biologics/"]
OUTAGE_SECONDS = 3


class Relay:
    """A TCP relay to the database server that can be cut and restored on
    the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = None
        self.port = 0
        self.restore()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            if listener is not self.listener:  # accepted as it was cut
                client.close()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    @staticmethod
    def pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self):
        """New connections refused, open ones closed under the app."""
        listener, self.listener = self.listener, None
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        listener.close()
        with self.lock:
            for end in self.sockets:
                # shutdown wakes the relay thread blocked on it (close would
                # not) and ends the app's connection.
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self.sockets.clear()


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)
    except TimeoutError:
        return 0, {}  # no answer within 10 s


@pytest.mark.requires_postgres
def test_outage_drill_under_load(db, collected_static, redis_url, tmp_path):
    """The knowledge base the session loaded (committed in the test database)
    is served by gunicorn through the relay."""
    db = connection.settings_dict
    relay = Relay((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "outage-drill-secret-key-0123456789-abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_API_ANON_RATE": "",
        "DJANGO_STATIC_ROOT": str(collected_static),
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/1",
        "DATABASE_URL": (
            f"postgres://{db['USER']}{password}@127.0.0.1:{relay.port}/{db['NAME']}"
        ),
    }
    log_file = (tmp_path / "gunicorn.log").open("w")  # a pipe would fill up
    try:
        with gunicorn(env, stderr=log_file) as base:
            for url in CACHED:
                assert get(base + url)[0] == 200  # rendered and stored (Redis)

            relay.cut()
            seen = []
            deadline = time.monotonic() + OUTAGE_SECONDS

            def hammer(n):
                while time.monotonic() < deadline:
                    url = (CACHED + NOT_CACHED + ["/healthz"])[n % 6]
                    n += 1
                    seen.append((url, *get(base + url)))

            with ThreadPoolExecutor(4) as pool:
                list(pool.map(hammer, range(4)))
            relay.restore()
            back = time.monotonic()
            while get(base + NOT_CACHED[0])[0] != 200:
                assert time.monotonic() - back < 10, "no recovery within 10 s"
            recovery = time.monotonic() - back
    finally:
        log_file.close()
        if relay.listener is not None:
            relay.cut()
    log = (tmp_path / "gunicorn.log").read_text()

    statuses = [status for _url, status, _headers in seen]
    stale = [h for url, s, h in seen if url in CACHED and s == 200]
    refused = [h for url, s, h in seen if url in NOT_CACHED]
    summary = (
        f"{len(seen)} requests in {OUTAGE_SECONDS} s: {len(stale)} stale 200s, "
        f"{statuses.count(503)} 503s; recovery {recovery:.2f} s"
    )
    hung = sorted({url for url, status, _h in seen if status == 0})
    assert not hung, f"{summary}; no answer from {hung}\n{log[-3000:]}"
    assert 500 not in statuses, summary
    assert stale and all("Age" in h and h["X-KB-Stale"] for h in stale), summary
    assert len(stale) == sum(url in CACHED for url, _s, _h in seen), summary
    assert refused and all(
        s == 503 for url, s, _h in seen if url in [*NOT_CACHED, "/healthz"]
    ), summary
    assert all(h["Retry-After"] == "5" for h in refused), summary
    assert recovery < 2, summary
    assert "Internal Server Error" not in log
    print(summary)
