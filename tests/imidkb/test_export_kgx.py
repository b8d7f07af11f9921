"""The Biolink KGX export, validated by KGX's own validator (kgx.validator)
and checked against the Biolink model with its toolkit (bmt), both on the
model bundled in the biolink-model package: nothing is fetched."""

import csv
import io
import json
import socket
from importlib import resources

import pytest

from imidkb.exports import get, live_snapshot
from imidkb.exports import kgx as kgx_export
from tests.conftest import SYNTHETIC

pytestmark = [pytest.mark.django_db, SYNTHETIC]

FILES = [
    "imidkb_kgx_nodes.tsv",
    "imidkb_kgx_edges.tsv",
    "imidkb_kgx_nodes.jsonl",
    "imidkb_kgx_edges.jsonl",
]


@pytest.fixture
def snapshots(kb, synthetic_snapshot):
    """The curated knowledge base, and it with 1000 synthetic diseases."""
    return {"curated": live_snapshot(), "synthkb-1000": synthetic_snapshot}


@pytest.fixture(scope="module")
def offline():
    """No connection may be opened while the validators load and run."""

    def refuse(*args, **kwargs):
        raise AssertionError("the KGX validation tried to use the network")

    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "connect", refuse)
    patch.setattr(socket, "create_connection", refuse)
    yield
    patch.undo()


@pytest.fixture(scope="module")
def toolkit(offline):
    """bmt's Toolkit on the bundled Biolink model. bmt and kgx default to the
    model and predicate map on GitHub (kgx builds a Toolkit when imported,
    and its PrefixManager fetches a JSON-LD context): they are given the
    bundled model, no predicate map (only its mapping lookups use one) and
    the bundled Biolink prefix map with the export's own prefixes."""
    import bmt.toolkit

    schema = resources.files("biolink_model") / "schema" / "biolink_model.yaml"
    defaults = bmt.toolkit.Toolkit.__init__.__defaults__
    bmt.toolkit.Toolkit.__init__.__defaults__ = (
        str(schema),
        {"predicate mappings": []},
    )
    import kgx.config

    prefix_map = resources.files("biolink_model") / "prefixmaps"
    context = json.loads((prefix_map / "biolink_model_prefix_map.json").read_text())
    context.update(kgx_export.kgx_prefixes())
    kgx.config.jsonld_context_map["biolink"] = context
    from kgx.validator import Validator

    Validator.set_biolink_model(None)
    yield Validator.get_toolkit()
    bmt.toolkit.Toolkit.__init__.__defaults__ = defaults


def written(snapshot) -> dict[str, bytes]:
    return {name: get(name).write(snapshot) for name in FILES}


def kgx_errors(tmp_path, files: dict[str, bytes], form: str) -> dict:
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    paths = []
    for kind in ("nodes", "edges"):
        path = tmp_path / f"imidkb_kgx_{kind}.{form}"
        path.write_bytes(files[f"imidkb_kgx_{kind}.{form}"])
        paths.append(str(path))
    validator = Validator()
    Transformer(stream=True).transform(
        input_args={"filename": paths, "format": form},
        output_args={"format": "null"},
        inspector=validator,
    )
    return validator.get_errors()


@pytest.mark.parametrize("kb_name", ["curated", "synthkb-1000"])
@pytest.mark.parametrize("form", ["tsv", "jsonl"])
def test_kgx_validate_passes(snapshots, toolkit, tmp_path, kb_name, form):
    files = written(snapshots[kb_name])
    assert kgx_errors(tmp_path, files, form) == {}
    nodes = files[f"imidkb_kgx_nodes.{form}"]
    assert nodes.count(b"\n") > (1000 if kb_name == "synthkb-1000" else 100)


def test_the_validator_catches_what_it_should(snapshots, toolkit, tmp_path):
    """The validator is not blind: an unknown category and an unknown
    predicate are reported. (kgx 2.6 does not report an edge without its
    primary knowledge source: test_biolink_model_checks does.)"""
    files = written(snapshots["curated"])
    nodes = files["imidkb_kgx_nodes.jsonl"].decode().splitlines()
    edges = files["imidkb_kgx_edges.jsonl"].decode().splitlines()
    node, edge = json.loads(nodes[0]), json.loads(edges[0])
    node["category"] = ["biolink:NoSuchClass"]
    edge["predicate"] = "biolink:no_such_predicate"
    files["imidkb_kgx_nodes.jsonl"] = "\n".join([json.dumps(node), *nodes[1:]]).encode()
    files["imidkb_kgx_edges.jsonl"] = "\n".join([json.dumps(edge), *edges[1:]]).encode()
    report = json.dumps(kgx_errors(tmp_path, files, "jsonl"))
    assert "NoSuchClass" in report
    assert "no_such_predicate" in report


@pytest.mark.parametrize("kb_name", ["curated", "synthkb-1000"])
def test_biolink_model_checks(snapshots, toolkit, kb_name):
    """Every category is a Biolink class and every predicate a Biolink
    predicate whose domain and range admit the nodes it joins; every edge
    names its knowledge level, agent type and primary knowledge source (the
    values in the model's enums), and its citations."""
    snapshot = snapshots[kb_name]
    nodes = {node["id"]: node for node in kgx_export.nodes(snapshot)}
    edges = kgx_export.edges(snapshot)
    assert len({edge["id"] for edge in edges}) == len(edges)
    levels = toolkit.view.get_enum("KnowledgeLevelEnum").permissible_values
    agents = toolkit.view.get_enum("AgentTypeEnum").permissible_values
    admits = {}

    def admitted(slot_class: str | None, category: str) -> bool:
        if slot_class is None:
            return True
        if slot_class not in admits:
            admits[slot_class] = set(
                toolkit.get_descendants(slot_class, formatted=True, mixin=True)
            )
        return category in admits[slot_class]

    for node in nodes.values():
        assert all(toolkit.is_category(c) for c in node["category"]), node
    for edge in edges:
        predicate = toolkit.get_element(edge["predicate"])
        assert toolkit.is_predicate(edge["predicate"]), edge
        (subject,) = nodes[edge["subject"]]["category"]
        (object_,) = nodes[edge["object"]]["category"]
        assert admitted(predicate.domain, subject), (edge, predicate.domain)
        assert admitted(predicate.range, object_), (edge, predicate.range)
        assert edge["knowledge_level"] in levels
        assert edge["agent_type"] in agents
        assert edge["primary_knowledge_source"] == "infores:imid-kb"
        assert edge["publications"] and edge["imidkb_citations"], edge


def test_the_files_say_what_the_knowledge_base_says(snapshots):
    """Frequencies stay words; purposes, kinds and roles are kept; TSV
    multivalued fields are |-separated; both forms hold the same graph."""
    snapshot = snapshots["curated"]
    files = written(snapshot)
    rows = list(
        csv.DictReader(
            io.StringIO(files["imidkb_kgx_edges.tsv"].decode()), delimiter="\t"
        )
    )
    lines = files["imidkb_kgx_edges.jsonl"].decode().splitlines()
    assert len(rows) == len(lines) == len(kgx_export.edges(snapshot))
    frequencies = {
        (row["disease"]["slug"], row["symptom"]["slug"]): row["frequency"]
        for row in snapshot.records("disease-symptoms")
    }
    phenotype_rows = [r for r in rows if r["predicate"] == "biolink:has_phenotype"]
    assert len(phenotype_rows) == len(frequencies)
    for row in phenotype_rows:
        key = (row["subject"].split(":")[1], row["object"].split(":")[1])
        assert row["imidkb_frequency"] == (frequencies[key] or "")
    assert {r["imidkb_frequency"] for r in phenotype_rows} - {""} <= {
        "common",
        "some",
        "very-common",
    }
    purposes = {r["imidkb_purpose"] for r in rows if r["imidkb_purpose"]}
    assert purposes == {row["purpose"] for row in snapshot.records("indications")}
    cited = [r for r in rows if "|" in r["imidkb_citations"]]
    assert cited, "some edge has several citations"
    node_rows = list(
        csv.DictReader(
            io.StringIO(files["imidkb_kgx_nodes.tsv"].decode()), delimiter="\t"
        )
    )
    psoriasis = next(r for r in node_rows if r["id"] == "IMIDKB.diseases:psoriasis")
    xrefs = psoriasis["xref"].split("|")
    assert "IMIDKB:diseases/psoriasis" in xrefs
    record = next(r for r in snapshot.records("diseases") if r["slug"] == "psoriasis")
    exact = {i["curie"] for i in record["identifiers"] if i["match"] == "exact"}
    assert exact and exact <= set(xrefs)
