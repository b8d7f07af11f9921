"""make bench: IMID-KB against the bare WSGI limit and Datasette, with wrk.

For each scale (the curated knowledge base, then N synthetic diseases on top)
it starts three servers on loopback, loads each target back to back with wrk
(2 threads, 8 connections, 10 s after a 2 s warm-up), and writes
bench/RESULTS.md: requests per second, p50 and p99, the ratio to the bare app
measured in the same run, SQL queries per request and peak memory per worker.
"""

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
PY = sys.executable
VENV_BIN = Path(PY).parent
DATASETTE = os.environ.get("DATASETTE", str(ROOT / ".venv-bench" / "bin" / "datasette"))
DURATION, WARMUP, CONNECTIONS = 10, 2, 8
PORTS = {"bare": 8301, "app": 8302, "datasette": 8303, "app-uncached": 8304}
# The app with the public response cache off: what rendering costs.
UNCACHED_ENV = {"DJANGO_API_CACHE_SECONDS": "0", "DJANGO_PAGE_CACHE_SECONDS": "0"}
N = int(os.environ.get("BENCH_DISEASES", "10000"))

APP_ENV = {
    **os.environ,
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
    "DJANGO_API_ANON_RATE": "",  # no throttling under load
}


def sh(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def prepare(db: Path, synthetic: int) -> None:
    env = {**APP_ENV, "DATABASE_URL": f"sqlite:///{db}"}
    db.unlink(missing_ok=True)
    sh(PY, "manage.py", "migrate", "--noinput", "-v0", env=env)
    sh(PY, "manage.py", "loadkb", env=env, stdout=subprocess.DEVNULL)
    if synthetic:
        sh(PY, "manage.py", "synthkb", "--diseases", str(synthetic), env=env)
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v0", env=env)


def start(name: str, db: Path) -> subprocess.Popen:
    port = PORTS[name]
    gunicorn = [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}"]
    if name == "bare":
        cmd = [*gunicorn, "bench.bare:application"]
        env = os.environ
    elif name in ("app", "app-uncached"):
        cmd = [*gunicorn, "imidkb.wsgi:application"]
        env = {**APP_ENV, "DATABASE_URL": f"sqlite:///{db}"}
        if name == "app-uncached":
            env.update(UNCACHED_ENV)
    else:
        cmd = [
            DATASETTE,
            "serve",
            str(db),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "--setting",
            "suggest_facets",
            "off",
        ]
        env = os.environ
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except Exception:
            time.sleep(0.2)
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def worker_peak_mb(process: subprocess.Popen) -> float:
    """Largest peak resident memory (VmHWM) among the server's worker processes."""
    children = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    peaks = []
    for pid in children or [str(process.pid)]:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            if match:
                peaks.append(int(match.group(1)) / 1024)
    return round(max(peaks), 1) if peaks else 0.0


def wrk(url: str) -> dict:
    subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{WARMUP}s", url], capture_output=True
    )
    out = subprocess.run(
        [
            "wrk",
            "--latency",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def percentile(p):
        match = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rps": rps,
        "p50": percentile(50),
        "p99": percentile(99),
        "errors": int(errors.group(1)) if errors else 0,
    }


def queries_per_request(
    db: Path, paths: list[str], extra_env: dict | None = None
) -> dict[str, int]:
    code = f"""
import os, django, json
os.environ["DJANGO_SETTINGS_MODULE"] = "imidkb.settings"
django.setup()
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
from imidkb.wsgi import application  # as gunicorn serves it

def get(path):
    environ = RequestFactory().get(path).environ
    body = application(environ, lambda status, headers, exc_info=None: None)
    b"".join(body)
    getattr(body, "close", lambda: None)()

counts = {{}}
for path in {paths!r}:
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        get(path)
    with CaptureQueriesContext(connection) as repeat:
        get(path)
    counts[path] = [len(first), len(repeat)]
print(json.dumps(counts))
"""
    env = {
        **APP_ENV,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        **(extra_env or {}),
    }
    import json

    out = subprocess.run(
        [PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def targets(db: Path) -> list[tuple[str, str, str]]:
    import sqlite3

    con = sqlite3.connect(db)
    disease_id, slug = con.execute(
        "select id, slug from diseases_disease where slug='systemic-lupus-erythematosus'"
    ).fetchone()
    con.close()
    app = [
        ("API disease detail", f"/api/v1/diseases/{slug}/"),
        ("API disease list (50)", "/api/v1/diseases/?page_size=50"),
        ("API figures by disease", f"/api/v1/figures/?disease={slug}"),
        ("Disease page", f"/diseases/{slug}/"),
        ("Search", "/search/?q=lupus"),
        ("Compare page", f"/compare/?d={slug}&d=sjogrens-syndrome"),
    ]
    return [
        *((name, "app", path) for name, path in app),
        *((f"{name}, cache off", "app-uncached", path) for name, path in app),
        (
            "Datasette list (50)",
            "datasette",
            f"/{db.stem}/diseases_disease.json?_shape=objects&_size=50",
        ),
        (
            "Datasette row",
            "datasette",
            f"/{db.stem}/diseases_disease/{disease_id}.json?_shape=objects",
        ),
    ]


TARGETS_RATIO = {
    "API disease detail": 0.30,
    "API disease list (50)": 0.25,
    "Disease page": 0.20,
    "Search": 0.15,
}


def run_scale(label: str, db: Path) -> tuple[list[str], dict]:
    servers = {name: start(name, db) for name in PORTS}
    rows, results = [], {}
    try:
        bare = wrk(f"http://127.0.0.1:{PORTS['bare']}/")
        results["bare"] = bare
        for name, server, path in targets(db):
            result = wrk(f"http://127.0.0.1:{PORTS[server]}{path}")
            results[name] = {**result, "path": path, "server": server}
        memory = max(worker_peak_mb(servers[name]) for name in ("app", "app-uncached"))
    finally:
        for process in servers.values():
            stop(process)
    app_paths = [r["path"] for n, r in results.items() if r.get("server") == "app"]
    queries = {
        "app": queries_per_request(db, app_paths),
        "app-uncached": queries_per_request(db, app_paths, UNCACHED_ENV),
    }
    rows.append(f"\n### {label}\n")
    rows.append(
        "| target | req/s | p50 ms | p99 ms | ratio to bare | queries (first / repeat) | target |"
    )
    rows.append("|---|---|---|---|---|---|---|")
    rows.append(
        f"| bare WSGI (5 KB JSON) | {bare['rps']:.0f} | {bare['p50']:.1f} | {bare['p99']:.1f} | 1.000 | - | - |"
    )
    for name, result in results.items():
        if name == "bare":
            continue
        ratio = result["rps"] / bare["rps"]
        goal = TARGETS_RATIO.get(name)
        verdict = ""
        if goal:
            verdict = f">= {goal} and p99 <= 25 ms: " + (
                "met" if ratio >= goal and result["p99"] <= 25 else "NOT met"
            )
        q = queries.get(result["server"], {}).get(result["path"], ["-", "-"])
        errors = f" ({result['errors']} non-2xx)" if result["errors"] else ""
        rows.append(
            f"| {name}{errors} | {result['rps']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} | {ratio:.3f} | {q[0]} / {q[1]} | {verdict} |"
        )
    ours = results["API disease list (50)"]["rps"], results["API disease detail"]["rps"]
    theirs = results["Datasette list (50)"]["rps"], results["Datasette row"]["rps"]
    rows.append("")
    rows.append(
        f"- vs Datasette: list {ours[0] / theirs[0]:.2f}x (target >= 2), "
        f"detail {ours[1] / theirs[1]:.2f}x (target >= 1.3)."
    )
    rows.append(
        f"- Peak memory per app worker (cache on or off): {memory} MB (target < 150 MB)."
    )
    return rows, results


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    curated, scaled = WORK / "curated.sqlite3", WORK / "scaled.sqlite3"
    prepare(curated, 0)
    prepare(scaled, N)
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), client and servers on the same cores",
        f"- Commands: `wrk --latency -t2 -c{CONNECTIONS} -d{DURATION}s --timeout 10s URL` after a {WARMUP} s warm-up, one target after another;",
        "  bare: `gunicorn -w 2 bench.bare:application`; app: `gunicorn -w 2 imidkb.wsgi:application` (sync workers, DEBUG off, production settings,",
        "  SQLite, DJANGO_SECURE_SSL_REDIRECT=0, throttling off); Datasette: `datasette serve DB --setting suggest_facets off` on the same SQLite file.",
        "- Ratios compare numbers measured in the same run only. Queries: SQL per request on a cold cache / on a repeat (the public response cache, keyed on the data version).",
        '- "cache off": a second app server with the public response cache off (`DJANGO_API_CACHE_SECONDS=0 DJANGO_PAGE_CACHE_SECONDS=0`): every request rendered by Django, for what rendering costs; the targets are measured with the cache on, as deployed.',
    ]
    for label, db in (
        ("Curated knowledge base", curated),
        (f"Curated + {N:,} synthetic diseases", scaled),
    ):
        rows, _results = run_scale(label, db)
        lines += rows
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "RESULTS.md").write_text(text)
    print(text)
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
