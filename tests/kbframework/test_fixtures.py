"""loadkb is three-way: it never silently overwrites what editors did in the
admin, and make serve never rewrites curated content."""

import json
import re
import shlex
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from diseases.models import Disease, DiseaseSymptom
from kbframework.fixtures import KBLoadError, dump_kb, fixture_dir, load_kb
from kbframework.models import LoadedRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixtures(tmp_path) -> Path:
    """A copy of the fixture files, to edit as a curator would in git."""
    copy = tmp_path / "fixtures"
    shutil.copytree(fixture_dir(), copy)
    return copy


def edit_fixture(directory: Path, slug: str, **fields) -> None:
    path = directory / "diseases.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    for record in records:
        if record["model"] == "diseases.disease" and record["fields"]["slug"] == slug:
            record["fields"].update(fields)
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), "utf-8")


def edit_in_admin(slug: str, **fields) -> None:
    disease = Disease.objects.get(slug=slug)
    for name, value in fields.items():
        setattr(disease, name, value)
    disease.save()


def summary(slug: str) -> str:
    return Disease.objects.get(slug=slug).summary


def test_a_change_made_in_the_admin_survives_a_load(kb, fixtures):
    edit_in_admin("psoriasis", summary="Corrected by an editor.")
    report = load_kb(fixtures)
    assert summary("psoriasis") == "Corrected by an editor."
    assert report.kept == ['diseases.disease ["psoriasis"]']


def test_a_change_made_in_the_fixtures_only_is_loaded(kb, fixtures):
    edit_fixture(fixtures, "psoriasis", summary="Corrected in git.")
    load_kb(fixtures)
    assert summary("psoriasis") == "Corrected in git."


def test_a_record_changed_on_both_sides_makes_the_load_refuse_naming_it(kb, fixtures):
    edit_in_admin("psoriasis", summary="Corrected by an editor.")
    edit_fixture(fixtures, "psoriasis", summary="Corrected in git.")
    edit_fixture(fixtures, "crohns-disease", summary="Also corrected in git.")
    with pytest.raises(KBLoadError, match=r'diseases\.disease \["psoriasis"\]'):
        load_kb(fixtures)
    # Nothing was loaded, the fixture-only change included.
    assert summary("psoriasis") == "Corrected by an editor."
    assert summary("crohns-disease") != "Also corrected in git."
    load_kb(fixtures, force=True)
    assert summary("psoriasis") == "Corrected in git."


def test_the_command_refuses_with_the_records_named(kb, fixtures):
    edit_in_admin("psoriasis", summary="Corrected by an editor.")
    edit_fixture(fixtures, "psoriasis", summary="Corrected in git.")
    with pytest.raises(CommandError, match=r"psoriasis.*--force"):
        call_command("loadkb", fixtures=str(fixtures), stdout=StringIO())


def test_a_record_deleted_in_the_admin_is_not_brought_back(kb, fixtures):
    link = DiseaseSymptom.objects.select_related("disease", "symptom").first()
    key = (link.disease.slug, link.symptom.slug)
    link.delete()
    load_kb(fixtures)
    assert not DiseaseSymptom.objects.filter(
        disease__slug=key[0], symptom__slug=key[1]
    ).exists()


def test_dump_then_load_round_trips(kb, tmp_path):
    edit_in_admin("psoriasis", summary="Corrected by an editor.")
    dump_kb(tmp_path)
    report = load_kb(tmp_path)
    # (The dump writes times to the millisecond, so the edited row's
    # `updated` may be rewritten; its content is the same.)
    assert report.kept == []
    assert summary("psoriasis") == "Corrected by an editor."


def test_a_database_loaded_before_the_tracking_is_refused_when_it_differs(kb, fixtures):
    LoadedRecord.objects.all().delete()
    edit_in_admin("psoriasis", summary="Corrected by an editor.")
    with pytest.raises(KBLoadError, match="before loadkb kept track"):
        load_kb(fixtures)
    assert summary("psoriasis") == "Corrected by an editor."


def serve_commands() -> list[list[str]]:
    """The manage.py commands `make serve` runs, read from the Makefile."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    recipe = re.search(r"^serve:.*?\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "the Makefile has a serve target"
    commands = []
    for line in recipe.group(1).splitlines():
        if "manage.py" not in line:
            continue
        words = shlex.split(line.strip().lstrip("@"))
        commands.append(words[words.index("manage.py") + 1 :])
    return commands


def test_make_serve_restarted_after_curation_keeps_it(kb, fixtures):
    """Curation in the admin, a fixture changed in git meanwhile, then the
    commands of a `make serve` start: the curated state is intact."""
    assert ["loadkb", "--if-empty"] in serve_commands()
    edit_in_admin("psoriasis", summary="Corrected by an editor.")
    edit_fixture(fixtures, "psoriasis", summary="Corrected in git.")
    edit_fixture(fixtures, "asthma", summary="Changed in git.")
    before = {d.slug: d.summary for d in Disease.objects.all()}
    for command in serve_commands():
        if command[0] == "loadkb":
            call_command(*command, fixtures=str(fixtures), stdout=StringIO())
        elif command[0] == "migrate":
            call_command("migrate", "--noinput", verbosity=0)
    assert {d.slug: d.summary for d in Disease.objects.all()} == before
