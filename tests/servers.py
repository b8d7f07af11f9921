"""Serving the app as in production, for the drills: gunicorn on a free
port, started and stopped around a test."""

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    """A port nothing listens on (once the probe is closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, stderr=subprocess.DEVNULL):
    """gunicorn serving imidkb with `env`; yields its base URL once /healthz
    answers (or after 30 s), and stops it afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "imidkb.wsgi:application",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
