"""loadkb and dumpkb: idempotent, atomic, byte-for-byte round trip."""

import json
import shutil
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from kbframework.fixtures import fixture_dir, serialize_file
from kbframework.registry import registry

ALL_LABELS = [
    label for _filename, labels in registry.fixture_file_pairs() for label in labels
]


def snapshot() -> dict[str, list]:
    """Every row of every knowledge-base table, with its many-to-many links."""
    state = {}
    for label in ALL_LABELS:
        model = apps.get_model(label)
        rows = []
        for obj in model._base_manager.order_by("pk"):
            row = {
                f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields
            }
            for m2m in model._meta.many_to_many:
                row[m2m.name] = sorted(
                    getattr(obj, m2m.name).values_list("pk", flat=True)
                )
            rows.append(row)
        state[label] = rows
    return state


@pytest.fixture
def fixture_copy(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(fixture_dir(), target)
    return target


def load_records(path):
    return json.loads(path.read_text(encoding="utf-8"))


def write_records(path, records):
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")


def test_loadkb_creates_every_record_and_a_second_load_changes_nothing(empty_kb):
    """The first load creates every fixture record; the second writes nothing."""
    call_command("loadkb", stdout=StringIO())
    first = snapshot()
    expected = sum(
        len(load_records(fixture_dir() / f)) for f, _ in registry.fixture_file_pairs()
    )
    assert sum(len(rows) for rows in first.values()) == expected

    out = StringIO()
    call_command("loadkb", stdout=out)
    assert "created: 0" in out.getvalue()
    assert "updated: 0" in out.getvalue()
    assert f"unchanged: {expected}" in out.getvalue()
    assert snapshot() == first


@pytest.mark.django_db
def test_dump_after_load_reproduces_the_fixture_files_byte_for_byte(kb, tmp_path):
    """dumpkb after loadkb leaves fixtures/ exactly as committed."""
    call_command("dumpkb", fixtures=str(tmp_path), stdout=StringIO())
    for filename, _labels in registry.fixture_file_pairs():
        assert (tmp_path / filename).read_bytes() == (
            fixture_dir() / filename
        ).read_bytes(), filename


@pytest.mark.django_db
def test_an_edit_in_the_database_shows_up_in_the_dump(kb):
    """Curation done in the admin is written back by dumpkb."""
    from diseases.models import Disease

    disease = Disease.objects.get(slug="psoriasis")
    disease.synonyms = ["psoriasis vulgaris"]
    disease.save()
    text = serialize_file(["diseases.disease"])
    assert '"synonyms": ["psoriasis vulgaris"]' in text


@pytest.mark.django_db
def test_loading_an_edited_fixture_updates_only_that_record(kb, fixture_copy):
    """A changed record is updated in place (matched by natural key), nothing else."""
    from diseases.models import Disease

    path = fixture_copy / "diseases.json"
    records = load_records(path)
    for record in records:
        if (
            record["model"] == "diseases.disease"
            and record["fields"]["slug"] == "asthma"
        ):
            record["fields"]["summary"] = "Edited summary."
    write_records(path, records)
    before = Disease.objects.count()

    out = StringIO()
    call_command("loadkb", fixtures=str(fixture_copy), stdout=out)
    assert "updated: 1" in out.getvalue()
    assert Disease.objects.count() == before
    assert Disease.objects.get(slug="asthma").summary == "Edited summary."


def break_one_figure(fixture_copy, **fields):
    """Give the last figure in epidemiology.json bad values; return its slug."""
    path = fixture_copy / "epidemiology.json"
    records = load_records(path)
    figure = next(r for r in reversed(records) if r["model"] == "epidemiology.figure")
    figure["fields"].update(fields)
    write_records(path, records)
    return figure["fields"]["slug"], records.index(figure) + 1


def test_a_bad_record_on_an_empty_database_loads_nothing(flushed_db, fixture_copy):
    """One inverted range in the last file rolls back every file before it, and
    the error names the file and the record."""
    slug, number = break_one_figure(
        fixture_copy, value="10", lower="20", upper=None, qualifier=""
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("loadkb", fixtures=str(fixture_copy))
    message = str(excinfo.value)
    assert "epidemiology.json" in message
    assert f"record {number}" in message
    assert slug in message
    assert all(not rows for rows in snapshot().values())


def test_a_bad_record_leaves_a_loaded_database_exactly_as_it_was(
    flushed_db, fixture_copy
):
    """Reloading with an earlier good edit and one bad record changes nothing."""
    call_command("loadkb", stdout=StringIO())
    before = snapshot()
    path = fixture_copy / "diseases.json"
    records = load_records(path)
    records[0]["fields"]["name"] = "Renamed body system"
    write_records(path, records)
    break_one_figure(fixture_copy, unit="percent", value="140", qualifier="")
    with pytest.raises(CommandError, match=r"epidemiology\.json"):
        call_command("loadkb", fixtures=str(fixture_copy))
    assert snapshot() == before


def test_a_database_constraint_violation_is_reported_and_rolled_back(
    flushed_db, fixture_copy
):
    """A row that passes validation but breaks a unique constraint is reported."""
    path = fixture_copy / "diseases.json"
    records = load_records(path)
    diseases = [r for r in records if r["model"] == "diseases.disease"]
    diseases[1]["fields"]["name"] = diseases[0]["fields"]["name"]
    write_records(path, records)
    with pytest.raises(CommandError, match=r"diseases\.json, record \d+"):
        call_command("loadkb", fixtures=str(fixture_copy))
    assert all(not rows for rows in snapshot().values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda rs: rs[0].__setitem__("pk", 7), "carry no primary key"),
        (lambda rs: rs[0].__setitem__("model", "diseases.disease"), "must be one of"),
        (
            lambda rs: rs[-1]["fields"].__setitem__("citations", [["nope", "Intro"]]),
            "record",
        ),
    ],
)
def test_malformed_records_are_refused_with_their_location(
    fixture_copy, mutate, expected
):
    """Primary keys, records in the wrong file and dangling keys are refused."""
    path = fixture_copy / "epidemiology.json"
    records = load_records(path)
    mutate(records)
    write_records(path, records)
    with pytest.raises(CommandError, match=expected):
        call_command("loadkb", fixtures=str(fixture_copy))


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_named(fixture_copy):
    (fixture_copy / "treatments.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match=r"treatments\.json: not valid JSON"):
        call_command("loadkb", fixtures=str(fixture_copy))
