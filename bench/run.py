"""make bench: IMID-KB against the bare WSGI limit and Datasette, with wrk.

For each scale (the curated knowledge base, then N synthetic diseases on top)
it starts the servers on loopback and loads each target back to back with wrk
(2 threads, 8 connections), and writes bench/RESULTS.md (or BENCH_RESULTS):

- repeats: the same URL for 10 s after a 2 s warm-up (what the public response
  cache serves);
- crawls: distinct URLs, each asked once (bench/crawl.lua), for at most 10 s:
  every disease's API detail, every page of 50 of the disease list in every
  ordering, every disease's page, and Datasette's rows and pages of 50 of the
  same table: first visits, where no cache can help;

with requests per second, p50 and p99, the ratio to the bare app (repeats)
or to Datasette's counterpart (crawls) measured in the same run, SQL queries
per request and peak memory per worker. With BENCH_POSTGRES=1 the app is also
served from PostgreSQL (the same knowledge base loaded there), beside the
bare app of the same run.
"""

import datetime as dt
import json
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
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP, CONNECTIONS = 2, 8
PORTS = {"bare": 8301, "app": 8302, "datasette": 8303, "app-uncached": 8304}
PG_PORT = 8305
CRAWL_SCRIPT = ROOT / "bench" / "crawl.lua"
# PostgreSQL (make bench with BENCH_POSTGRES=1): the server .ci/run uses.
PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/imidkb_bench"
)
# The app with the public response cache off: what rendering costs.
UNCACHED_ENV = {"DJANGO_API_CACHE_SECONDS": "0", "DJANGO_PAGE_CACHE_SECONDS": "0"}
N = int(os.environ.get("BENCH_DISEASES", "10000"))
# Keep the prepared SQLite files (bench/work) for the next run, and take
# those an earlier run kept: preparing 10,000 synthetic diseases takes most
# of an hour (buildpublic). PostgreSQL is prepared afresh each run.
REUSE = os.environ.get("BENCH_REUSE") == "1"
# Where the report is written: a run at another scale (BENCH_DISEASES) or
# on PostgreSQL too may keep bench/RESULTS.md as it is.
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "RESULTS.md"))

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


def timed(times: dict, name: str, *args, **kwargs) -> None:
    started = time.monotonic()
    sh(*args, **kwargs)
    times[name] = times.get(name, 0.0) + time.monotonic() - started


def times_file(db: Path) -> Path:
    return db.with_suffix(".times.json")


def prepared_or_prepare(db: Path, synthetic: int) -> dict[str, float]:
    """With BENCH_REUSE=1, a file an earlier run prepared (and kept: that
    run had BENCH_REUSE=1 too, or was stopped) is taken as it is, with the
    step times that run measured; otherwise it is prepared afresh."""
    if REUSE and db.exists() and times_file(db).exists():
        print(f"Reusing {db.name}, prepared by an earlier run.", flush=True)
        # The earlier run's publish (publish_hit_rate) deleted the documents
        # of what shows the record it edited (every page of the disease
        # list among them): the crawls' paths asked for once again, as
        # buildpublic asks them (those still stored cost one read; not
        # timed). Not the whole build: at 10,000 diseases its list pages
        # alone take most of an hour (README, Speed).
        paths = [
            path
            for server, paths in crawl_sets(db).values()
            if server == "app"
            for path in paths
        ]
        listing = WORK / "reused-paths.json"
        listing.write_text(json.dumps(paths))
        sh(
            PY,
            "-c",
            ASK_CODE,
            str(listing),
            env={**APP_ENV, "DATABASE_URL": f"sqlite:///{db}"},
        )
        return json.loads(times_file(db).read_text())
    return prepare(db, synthetic)


ASK_CODE = """
import json, os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "imidkb.settings"
django.setup()
from imidkb.management.commands.buildpublic import ask, unthrottled

with unthrottled():
    print(ask(json.loads(open(sys.argv[1]).read()), "http", "localhost"))
"""


def build(env: dict, synthetic: int) -> dict[str, float]:
    """The knowledge base into the empty database `env` names: migrated,
    loaded, `synthetic` diseases added, a release cut and the public
    documents built (manage.py buildpublic: every record's address asked for
    once, as a reader's first visit would; what a crawl then reads).
    Seconds per step."""
    times: dict[str, float] = {}
    sh(PY, "manage.py", "migrate", "--noinput", "-v0", env=env)
    timed(
        times, "loadkb", PY, "manage.py", "loadkb", env=env, stdout=subprocess.DEVNULL
    )
    if synthetic:
        timed(
            times,
            "synthkb",
            PY,
            "manage.py",
            "synthkb",
            "--diseases",
            str(synthetic),
            env=env,
        )
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    # Before the build: a release deletes every public document.
    timed(
        times,
        "cutrelease",
        PY,
        "manage.py",
        "cutrelease",
        env=env,
        stdout=subprocess.DEVNULL,
    )
    timed(times, "buildpublic", *BUILD, env=env)
    return times


def prepare(db: Path, synthetic: int) -> dict[str, float]:
    """The knowledge base in a fresh SQLite file (build), and `dumpkb`
    timed. Seconds per step, also written beside the file (BENCH_REUSE)."""
    env = {**APP_ENV, "DATABASE_URL": f"sqlite:///{db}"}
    times_file(db).unlink(missing_ok=True)
    db.unlink(missing_ok=True)
    times = build(env, synthetic)
    dumped = WORK / "dumped-fixtures"
    shutil.rmtree(dumped, ignore_errors=True)
    timed(
        times,
        "dumpkb",
        PY,
        "manage.py",
        "dumpkb",
        "--fixtures",
        str(dumped),
        env=env,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(dumped, ignore_errors=True)
    times_file(db).write_text(json.dumps(times))
    return times


# The read model's build: 2 processes (the machine's cores).
BUILD = [PY, "manage.py", "buildpublic", "--jobs", "2"]


def prepare_postgres(synthetic: int) -> dict[str, float]:
    """The same knowledge base as the SQLite file's, in a fresh PostgreSQL
    database (synthkb is seeded: the same diseases)."""
    import psycopg2

    name = PG_URL.rsplit("/", 1)[1]
    server = psycopg2.connect(PG_URL.rsplit("/", 1)[0] + "/postgres")
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()
    env = {**APP_ENV, "DATABASE_URL": PG_URL}
    return build(env, synthetic)


def start(name: str, db: Path) -> subprocess.Popen:
    port = PG_PORT if name == "app-postgres" else PORTS[name]
    gunicorn = [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}"]
    if name == "bare":
        cmd = [*gunicorn, "bench.bare:application"]
        env = os.environ
    elif name in ("app", "app-uncached", "app-postgres"):
        cmd = [*gunicorn, "imidkb.wsgi:application"]
        env = {**APP_ENV, "DATABASE_URL": f"sqlite:///{db}"}
        if name == "app-uncached":
            env.update(UNCACHED_ENV)
        if name == "app-postgres":
            env["DATABASE_URL"] = PG_URL
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


def wrk_command(threads: int = 2) -> list[str]:
    return [
        "wrk",
        "--latency",
        f"-t{threads}",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}s",
        "--timeout",
        "10s",
    ]


def wrk(url: str) -> dict:
    """A repeat: the same URL for DURATION seconds, after a warm-up."""
    subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{WARMUP}s", url], capture_output=True
    )
    out = subprocess.run([*wrk_command(), url], capture_output=True, text=True).stdout
    return parse_wrk(out)


# A crawl's wrk thread: one, with the same 8 connections. With two threads
# (each its half of the paths) a long crawl's p99 was 1.6-3.1 s at 10,000
# diseases while its p50 was 3-5 ms; one thread over the same server and
# paths gave a p99 of 11 ms, as did an 8-thread Python client (14 ms).
CRAWL_THREADS = 1


def crawl(base: str, paths: list[str]) -> dict:
    """A crawl: each of `paths` asked once (bench/crawl.lua), for at most
    DURATION seconds."""
    listing = WORK / "crawl-paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    env = {
        **os.environ,
        "CRAWL_PATHS": str(listing),
        "CRAWL_THREADS": str(CRAWL_THREADS),
    }
    command = [*wrk_command(CRAWL_THREADS), "-s", str(CRAWL_SCRIPT), base]
    out = subprocess.run(command, capture_output=True, text=True, env=env).stdout
    result = parse_wrk(out)
    # The crawl's own clock and count (bench/crawl.lua): wrk's divides by the
    # whole duration, however early the crawl was done.
    line = re.search(r"crawl: answered=(\d+) repeats=(\d+) seconds=([\d.]+)", out)
    answered, repeats, seconds = int(line[1]), int(line[2]), float(line[3])
    return {
        **result,
        "rps": answered / seconds if seconds else 0.0,
        "requests": answered,
        "repeats": repeats,
        "of": len(paths),
    }


def parse_wrk(out: str) -> dict:
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


def crawl_sets(db: Path) -> dict[str, tuple[str, list[str]]]:
    """(server, paths) of each crawl, in a fixed shuffled order: a sample of
    the whole table when there is more than DURATION seconds' worth."""
    import random
    import sqlite3

    con = sqlite3.connect(db)
    rows = con.execute(
        "select id, slug, kind from diseases_disease where status = 'published'"
    ).fetchall()
    con.close()
    shuffle = random.Random(2026).sample
    rows = shuffle(rows, len(rows))
    pages = -(-len(rows) // 50)
    orderings = [
        f"{sign}{f}" for f in ("name", "slug", "kind", "updated") for sign in ("", "-")
    ]
    # Pages of 50 (the default size), addressed as the API's next links
    # address them (buildpublic follows them).
    lists = [
        f"/api/v1/diseases/?ordering={ordering}" + (f"&page={page}" if page > 1 else "")
        for ordering in orderings
        for page in range(1, pages + 1)
    ]
    table = f"/{db.stem}/diseases_disease"
    return {
        "API disease detail": (
            "app",
            [f"/api/v1/diseases/{slug}/" for _i, slug, _kind in rows],
        ),
        "API disease list (50)": ("app", shuffle(lists, len(lists))),
        # Each disease's own address (a condition's is under /conditions/).
        "Disease page": (
            "app",
            [
                f"/{'conditions' if kind == 'condition' else 'diseases'}/{slug}/"
                for _i, slug, kind in rows
            ],
        ),
        "Datasette row": (
            "datasette",
            [f"{table}/{i}.json?_shape=objects" for i, _slug, _kind in rows],
        ),
        "Datasette list (50)": (
            "datasette",
            [
                f"{table}.json?_shape=objects&_size=50&id__gt={i}"
                for i, _slug, _kind in rows
            ],
        ),
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


PUBLISH_CODE = """
import json, os, random, django
os.environ["DJANGO_SETTINGS_MODULE"] = "imidkb.settings"
django.setup()
from diseases.models import Disease
from kbframework import readmodel
from kbframework.models import PublicDocument

# Records' addresses (a list's pages go with any write of a disease).
docs = PublicDocument.objects.filter(label="diseases.disease").exclude(slug="")
changed = Disease.objects.published().order_by("pk").last()
# Unrelated: record addresses whose answer does not name the changed one.
unrelated = [
    key for key, body in docs.values_list("key", "body").iterator()
    if f"/{changed.slug}/".encode() not in bytes(body)
]
unrelated = random.Random(2026).sample(unrelated, min(1000, len(unrelated)))
changed.summary = "Edited by the benchmark: readers must see this at once."
changed.save()  # what publishing a revision does (kbframework.revisions)
kept = PublicDocument.objects.filter(key__in=unrelated).count()
print(json.dumps({"slug": changed.slug, "unrelated": len(unrelated), "kept": kept}))
"""


def publish_hit_rate(env: dict, base: str) -> dict:
    """Publish one edit of a disease while the servers run: the share of
    unrelated records' addresses (up to 1,000 whose answer does not name
    it) still answered from their documents, and the edit on the next
    request."""
    import json

    out = subprocess.run(
        [PY, "-c", PUBLISH_CODE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    with urllib.request.urlopen(f"{base}/api/v1/diseases/{result['slug']}/") as answer:
        result["fresh"] = b"Edited by the benchmark" in answer.read()
    return result


TARGETS_RATIO = {
    "API disease detail": 0.30,
    "API disease list (50)": 0.25,
    "Disease page": 0.20,
    "Search": 0.15,
}
# Crawls: (the Datasette crawl compared with, the least ratio to it).
CRAWL_TARGETS = {
    "API disease detail": ("Datasette row", 1.0),
    "API disease list (50)": ("Datasette list (50)", 2.0),
    "Disease page": ("Datasette row", 0.5),
}
CRAWL_P99_MS = 50


def also_on_postgres(name: str, server: str, postgres: bool):
    """(label, server) of a target: the app's also on PostgreSQL, if asked."""
    yield name, server
    if postgres and server == "app":
        yield f"{name}, PostgreSQL", "app-postgres"


def run_scale(label: str, db: Path, postgres: bool) -> tuple[list[str], dict]:
    names = [*PORTS, *(["app-postgres"] if postgres else [])]
    servers = {name: start(name, db) for name in names}
    base = {name: f"http://127.0.0.1:{PORTS.get(name, PG_PORT)}" for name in names}
    results, crawls = {}, {}
    sets = crawl_sets(db)
    try:
        bare = wrk(base["bare"] + "/")
        results["bare"] = bare
        # Crawls first, on servers warmed on URLs no crawl asks for.
        for name in ("app", "datasette", *(["app-postgres"] if postgres else [])):
            wrk(base[name] + ("/api/v1/" if name.startswith("app") else "/"))
        for name, (server, paths) in sets.items():
            for title, on in also_on_postgres(name, server, postgres):
                crawls[title] = {
                    **crawl(base[on], paths),
                    "server": on,
                    "path": paths[0],
                }
        for name, server, path in targets(db):
            for title, on in also_on_postgres(name, server, postgres):
                results[title] = {**wrk(base[on] + path), "path": path, "server": on}
        memory = {
            name: worker_peak_mb(servers[name])
            for name in names
            if name.startswith("app")
        }
        # Counted on the knowledge base the crawls read (before the publish
        # deletes what shows the record it edits).
        app_paths = [r["path"] for r in results.values() if r.get("server") == "app"]
        crawl_paths = [r["path"] for r in crawls.values() if r["server"] == "app"]
        queries = {
            "app": queries_per_request(db, app_paths + crawl_paths),
            "app-uncached": queries_per_request(db, app_paths, UNCACHED_ENV),
        }
        if postgres:
            queries["app-postgres"] = queries_per_request(
                db, app_paths + crawl_paths, {"DATABASE_URL": PG_URL}
            )
        # Last: it changes the knowledge base.
        published = {
            "SQLite": publish_hit_rate(
                {**APP_ENV, "DATABASE_URL": f"sqlite:///{db}"}, base["app"]
            )
        }
        if postgres:
            published["PostgreSQL"] = publish_hit_rate(
                {**APP_ENV, "DATABASE_URL": PG_URL}, base["app-postgres"]
            )
    finally:
        for process in servers.values():
            stop(process)
    rows = [f"\n### {label}\n", "Repeats (the same URL again and again):\n"]
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
        goal = TARGETS_RATIO.get(name.removesuffix(", PostgreSQL"))
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
    rows += [
        "",
        "Crawls (distinct URLs, each asked once: every request a first visit):\n",
        "| crawl | answered / URLs (repeats) | req/s | p50 ms | p99 ms | ratio to bare | vs Datasette | queries per request | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in crawls.items():
        kind = name.removesuffix(", PostgreSQL")
        versus, verdict = "-", ""
        if kind in CRAWL_TARGETS:
            theirs, goal = CRAWL_TARGETS[kind]
            ratio = result["rps"] / crawls[theirs]["rps"]
            versus = f"{ratio:.2f}x {theirs}"
            met = ratio >= goal and result["p99"] <= CRAWL_P99_MS
            verdict = f">= {goal}x and p99 <= {CRAWL_P99_MS} ms: " + (
                "met" if met else "NOT met"
            )
        q = queries.get(result["server"], {}).get(result["path"], ["-"])[0]
        errors = f" ({result['errors']} non-2xx)" if result["errors"] else ""
        rows.append(
            f"| {name}{errors} | {result['requests']} / {result['of']} ({result['repeats']}) | {result['rps']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} | {result['rps'] / bare['rps']:.3f} | {versus} | {q} | {verdict} |"
        )
    ours = results["API disease list (50)"]["rps"], results["API disease detail"]["rps"]
    theirs = results["Datasette list (50)"]["rps"], results["Datasette row"]["rps"]
    rows.append("")
    rows.append(
        f"- Repeats vs Datasette: list {ours[0] / theirs[0]:.2f}x (target >= 2), "
        f"detail {ours[1] / theirs[1]:.2f}x (target >= 1.3)."
    )
    for database, result in published.items():
        rate = result["kept"] / result["unrelated"] if result["unrelated"] else 0
        rows.append(
            f"- Publishing one edit ({database}, disease `{result['slug']}`, its summary): "
            f"{result['kept']} of {result['unrelated']} unrelated records' addresses "
            f"(answers not naming it) still answered from their documents: {rate:.1%} "
            f"(target >= 99 %: {'met' if rate >= 0.99 else 'NOT met'}); the edit in the "
            f"very next answer: {'yes' if result['fresh'] else 'NO'}."
        )
    rows.append(
        "- Peak memory per app worker: "
        + ", ".join(f"{name} {mb} MB" for name, mb in memory.items())
        + " (target <= 150 MB)."
    )
    return rows, {"repeats": results, "crawls": crawls}


def this_run() -> str:
    """The command of this run, with the settings it was given."""
    names = [
        "BENCH_DISEASES",
        "BENCH_SECONDS",
        "BENCH_POSTGRES",
        "BENCH_REUSE",
        "BENCH_RESULTS",
    ]
    given = [f"{name}={os.environ[name]}" for name in names if name in os.environ]
    return " ".join([*given, "make bench"])


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    curated, scaled = WORK / "curated.sqlite3", WORK / f"scaled-{N}.sqlite3"
    postgres = os.environ.get("BENCH_POSTGRES") == "1"
    prepared = {
        curated: prepared_or_prepare(curated, 0),
        scaled: prepared_or_prepare(scaled, N),
    }
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
        f"- Crawls: `CRAWL_PATHS=FILE CRAWL_THREADS={CRAWL_THREADS} wrk --latency -t{CRAWL_THREADS} -c{CONNECTIONS} -d{DURATION}s --timeout 10s -s bench/crawl.lua URL`, FILE listing the distinct paths in a fixed shuffled order (the list's pages of 50, the default size, in each of its 8 orders, addressed as the API's `next` links address them: `?ordering=-name&page=7`);"
        " each is asked once; a crawl ends when its paths are answered or after the duration (answered / URLs), req/s on the crawl's own clock. A crawl that ends early asks a few paths twice while its last answers are awaited (repeats: counted in the table, sent but mostly cut off when the crawl stops).",
        "  Servers warmed on URLs no crawl asks for.",
        f"- This run: `{this_run()}`. Run as: `make bench`"
        + (
            " with `BENCH_POSTGRES=1` (the app also on PostgreSQL, the same knowledge base loaded there; Datasette serves SQLite only)."
            if postgres
            else "; `BENCH_POSTGRES=1 make bench` adds the app on PostgreSQL."
        )
        + (
            " With `BENCH_REUSE=1`: the SQLite files as an earlier run prepared them, and the step times it measured; before the run, every path the crawls ask for is asked for once through `buildpublic`'s own code, to store again what an earlier run's publish deleted (not timed)."
            if REUSE
            else ""
        ),
        "- Each knowledge base is prepared with `manage.py migrate`, `loadkb`, `synthkb --diseases N` (seeded), `cutrelease`, then `buildpublic --jobs 2`: every record's API detail and page, and every page of every list in each of its API orders (following the `next` links), asked for once and stored as public documents (the read model, kbframework.readmodel), as readers' first visits would; `dumpkb --fixtures DIR` is timed on SQLite too. Their times are under each scale.",
        "- Ratios compare numbers measured in the same run only. Queries: SQL per request on a cold response cache (documents built) / on a repeat.",
        '- "cache off": a second app server with the public response cache off (`DJANGO_API_CACHE_SECONDS=0 DJANGO_PAGE_CACHE_SECONDS=0`): every request rendered by Django, for what rendering costs; the targets are measured with the cache on, as deployed.',
    ]
    for label, db in (
        ("Curated knowledge base", curated),
        (f"Curated + {N:,} synthetic diseases", scaled),
    ):
        times = {"SQLite": prepared[db]}
        if postgres:
            times["PostgreSQL"] = prepare_postgres(N if db == scaled else 0)
        rows, _results = run_scale(label, db, postgres)
        lines += rows
        for database, steps in times.items():
            lines.append(
                f"- Commands on {database} (seconds): "
                + ", ".join(
                    f"`{step}` {seconds:.1f}" for step, seconds in steps.items()
                )
                + "."
            )
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text)
    print(text)
    if not REUSE:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
