"""What an interrupted write leaves behind, and the backup drills."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from diseases.models import Disease
from kbframework.fixtures import dump_kb, fixture_dir
from kbframework.models import DataVersion, Release
from kbframework.registry import registry
from tests.conftest import wipe_kb

BASE_DIR = Path(settings.BASE_DIR)

# Run a knowledge-base write in a separate process that kills itself with
# SIGKILL halfway: no exception handler, no rollback code of ours runs.
KILL_HALFWAY = """
import os, signal, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "imidkb.settings"
django.setup()
from imidkb import releases
from kbframework import fixtures as kb
target = sys.argv[1]
if target == "loadkb":
    original, calls = kb._apply, []
    def apply(obj, using):
        calls.append(1)
        if len(calls) == 200:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(obj, using)
    kb._apply = apply
    kb.load_kb()
else:
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    releases.manifest_of = die
    releases.cut_release(note="never finished")
"""


def run_and_kill(command: str) -> int:
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    url = f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SECRET_KEY": "x"}
    result = subprocess.run(
        [sys.executable, "-c", KILL_HALFWAY, command],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == -9, result.stderr.decode()[-2000:]
    return result.returncode


@pytest.mark.requires_postgres
def test_a_killed_loadkb_leaves_the_database_as_it_was(flushed_db):
    assert run_and_kill("loadkb") == -9
    assert not Disease.objects.exists()
    assert not DataVersion.objects.exists()


@pytest.mark.requires_postgres
def test_a_killed_cutrelease_leaves_the_database_as_it_was(flushed_db):
    call_command("loadkb", stdout=StringIO())
    before = DataVersion.current().number
    assert run_and_kill("cutrelease") == -9
    assert not Release.objects.exists()
    assert DataVersion.current().number == before


def test_backup_and_restore_drill_with_dumpkb(kb, tmp_path):
    """Dump, restore into an empty database, dump again: identical files."""
    psoriasis = Disease.objects.get(slug="psoriasis")
    psoriasis.summary = "An edit made since the fixtures were written."
    psoriasis.save()
    backup = tmp_path / "backup"
    dump_kb(backup)
    wipe_kb()
    call_command("loadkb", fixtures=str(backup), stdout=StringIO())
    again = tmp_path / "again"
    dump_kb(again)
    for filename, _labels in registry.fixture_file_pairs():
        assert (backup / filename).read_bytes() == (again / filename).read_bytes()
    assert (backup / "diseases.json") != (fixture_dir() / "diseases.json")


@pytest.mark.requires_postgres
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_backup_and_restore_drill_with_pg_dump(flushed_db, tmp_path):
    """pg_dump the database, pg_restore it into a new one, and dumpkb both:
    the same bytes."""
    call_command("loadkb", stdout=StringIO())
    db = connection.settings_dict
    host, port, user = db["HOST"] or "127.0.0.1", str(db["PORT"] or 5432), db["USER"]
    restored = f"{db['NAME']}_restored"
    archive = tmp_path / "kb.dump"
    base = ["-h", host, "-p", port, "-U", user]
    subprocess.run(["pg_dump", *base, "-Fc", "-f", archive, db["NAME"]], check=True)
    subprocess.run(["dropdb", *base, "--if-exists", restored], check=True)
    subprocess.run(["createdb", *base, restored], check=True)
    try:
        subprocess.run(["pg_restore", *base, "-d", restored, archive], check=True)
        original, copy = tmp_path / "original", tmp_path / "copy"
        dump_kb(original)
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{user}@{host}:{port}/{restored}",
            "DJANGO_SECRET_KEY": "x",
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "dumpkb", "--fixtures", str(copy)],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        for filename, _labels in registry.fixture_file_pairs():
            assert (original / filename).read_bytes() == (copy / filename).read_bytes()
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", restored], check=True)
