"""The SSSOM and HPO-annotation exports, validated with the field's tools
(sssom-py; the phenotype.hpoa column spec; frictionless) on the curated
knowledge base and on ``synthkb --diseases 1000``, offline."""

import json
import re
import socket
from pathlib import Path

import pytest

from imidkb.exports import Snapshot, hpoa, sssom
from imidkb.releases import release_metadata, snapshot
from tests.conftest import SYNTHETIC

pytestmark = [SYNTHETIC, pytest.mark.django_db]

READS = sorted(set(sssom.READS) | set(hpoa.READS))


def written(tmp_path: Path, snap: Snapshot | None = None) -> dict[str, Path]:
    if snap is None:
        full, _flat = snapshot(prefixes=READS)
        snap = Snapshot(full, release_metadata(None, full))
    paths = {}
    for module in (sssom, hpoa):
        path = tmp_path / module.NAME
        path.write_bytes(module.write(snap))
        paths[module.NAME] = path
    return paths


@pytest.fixture
def curated(kb, tmp_path_factory):
    """The files of the curated knowledge base (in the test's transaction)."""
    return written(tmp_path_factory.mktemp("curated"))


@pytest.fixture(scope="module")
def synthetic(synthetic_snapshot, tmp_path_factory):
    """The files with 1000 synthetic diseases added (tests/conftest.py)."""
    return written(tmp_path_factory.mktemp("synthetic"), synthetic_snapshot)


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def data_lines(path: Path) -> list[list[str]]:
    lines = path.read_text().splitlines()
    return [line.split("\t") for line in lines if not line.startswith("#")]


def validate_sssom(path: Path):
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(str(path))
    reports = validate(
        msdf,
        validation_types=[
            SchemaValidationType.JsonSchema,
            SchemaValidationType.PrefixMapCompleteness,
            SchemaValidationType.StrictCurieFormat,
        ],
        fail_on_error=False,
    )
    return msdf, {kind: report.results for kind, report in reports.items()}


@pytest.mark.parametrize("kb_files", ["curated", "synthetic"])
def test_sssom_validates_with_sssom_py(kb_files, request, offline, tmp_path):
    path = request.getfixturevalue(kb_files)[sssom.NAME]
    msdf, errors = validate_sssom(path)
    assert errors and not any(errors.values()), errors
    frame = msdf.df
    rows = data_lines(path)[1:]
    assert len(frame) == len(rows) > 150
    assert set(frame.mapping_justification) == {"semapv:ManualMappingCuration"}
    # Exact and loose kept apart: Orphanet's loose rows are hasDbXref only.
    loose = frame[frame.object_id.str.startswith("ORPHA:")]
    assert "oboInOwl:hasDbXref" in set(loose.predicate_id)
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert msdf.metadata["mapping_set_id"].endswith(f"/api/v1/exports/{sssom.NAME}/")
    assert msdf.metadata["mapping_set_version"] == "live"
    assert all(c for c in frame.comment), "every row names its reference text"

    # The validator does fail: a file missing one prefix's expansion.
    broken = tmp_path / "broken.sssom.tsv"
    broken.write_text(
        "\n".join(
            line
            for line in path.read_text().splitlines()
            if not line.startswith("#   MONDO:")
        )
    )
    _msdf, errors = validate_sssom(broken)
    assert any(errors.values())


def test_sssom_rows_match_the_identifier_rows(curated, kb):
    from diseases.models import DiseaseXref

    rows = {
        (r[0], r[3]): r[2]
        for r in data_lines(curated[sssom.NAME])[1:]
        if r[0].startswith("IMIDKB:diseases/")
    }
    expected = {
        (f"IMIDKB:diseases/{x.disease.slug}", x.identifier): (
            "skos:exactMatch" if x.exact else "oboInOwl:hasDbXref"
        )
        for x in DiseaseXref.objects.filter(disease__status="published").select_related(
            "disease"
        )
    }
    assert rows == expected


def test_prefix_expansions_are_sssom_pys():
    """Every expansion the writer uses is the one sssom-py ships (its
    extended prefix map or SSSOM's built-in prefixes), under the prefix or a
    synonym of it."""
    from sssom.constants import EXTENDED_PREFIX_MAP

    records = json.loads(Path(EXTENDED_PREFIX_MAP).read_text())
    known = {}
    for record in records:
        for prefix in [record["prefix"], *record.get("prefix_synonyms", [])]:
            known[prefix] = record["uri_prefix"]
    for prefix, iri in {
        **sssom.OBJECT_PREFIXES,
        **sssom.BUILT_IN_PREFIXES,
    }.items():
        assert known.get(prefix) == iri, prefix


HPOA_COLUMNS = [
    "database_id",
    "disease_name",
    "qualifier",
    "hpo_id",
    "reference",
    "evidence",
    "onset",
    "frequency",
    "sex",
    "modifier",
    "aspect",
    "biocuration",
]


@pytest.mark.parametrize("kb_files", ["curated", "synthetic"])
def test_hpoa_follows_the_phenotype_hpoa_spec(kb_files, request):
    """No maintained HPOA validator installs and reads a file offline here,
    so this checks the published column spec (obophenotype.github.io
    human-phenotype-ontology annotations/phenotype_hpoa)."""
    path = request.getfixturevalue(kb_files)[hpoa.NAME]
    text = path.read_text()
    assert text.startswith("#description: ")
    assert re.search(r"^#date: \d{4}-\d{2}-\d{2}$", text, re.M)
    header, *rows = data_lines(path)
    assert header == HPOA_COLUMNS
    assert rows
    for row in rows:
        record = dict(zip(header, row, strict=True))
        assert re.fullmatch(r"MONDO:\d{7}", record["database_id"])
        assert record["disease_name"]
        assert record["qualifier"] in ("", "NOT")
        assert re.fullmatch(r"HP:\d{7}", record["hpo_id"])
        assert all(
            re.fullmatch(r"IMIDKB:sources/[a-z0-9-]+", r)
            for r in record["reference"].split(";")
        )
        assert record["evidence"] in ("IEA", "PCS", "TAS")
        assert record["frequency"] == ""  # words are never turned into numbers
        assert record["aspect"] in ("P", "C", "I", "H", "M")
        assert re.fullmatch(r"IMIDKB\[\d{4}-\d{2}-\d{2}\]", record["biocuration"])


def test_hpoa_has_one_row_per_link_with_an_hp_and_a_mondo_id(curated, kb):
    from diseases.models import DiseaseSymptom, DiseaseXref

    mondo = {
        x.disease_id: x.identifier
        for x in DiseaseXref.objects.filter(system="MONDO", exact=True)
    }
    expected = {
        (mondo[link.disease_id], link.symptom.hpo_id)
        for link in DiseaseSymptom.objects.filter(
            disease__status="published", symptom__status="published"
        ).select_related("symptom")
        if link.disease_id in mondo and link.symptom.hpo_id
    }
    rows = {(r[0], r[3]) for r in data_lines(curated[hpoa.NAME])[1:]}
    assert rows == expected
    assert len(rows) > 5


@pytest.mark.parametrize("kb_files", ["curated", "synthetic"])
def test_frictionless_validates_the_resources(kb_files, request, offline):
    from frictionless import Resource

    paths = request.getfixturevalue(kb_files)
    for export in (sssom_export(), hpoa_export()):
        path = paths[export.name]
        descriptor = {
            "name": export.resource_name,
            "path": path.name,
            "format": export.format,
            "mediatype": export.media_type,
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": export.schema,
            "dialect": export.dialect,
        }
        report = Resource(descriptor, basepath=str(path.parent)).validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
        assert report.tasks[0].stats["rows"] == len(data_lines(path)) - 1


def sssom_export():
    from imidkb.exports import get

    return get(sssom.NAME)


def hpoa_export():
    from imidkb.exports import get

    return get(hpoa.NAME)
