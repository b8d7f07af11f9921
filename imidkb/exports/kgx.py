"""The knowledge base as a Biolink KGX graph: nodes and edges, in KGX TSV
(``|`` between the values of a multivalued field) and KGX JSON Lines.

Node ids are the knowledge base's own identifiers, never an external code:
a group of diseases has no external code, a record may hold several exact
codes of one system,
and a node id must not change when a curator adds or corrects a code. The
exact external identifiers (MONDO, DOID, HP, CHEBI, ATC...) are the node's
``xref``; loose matches are kept apart in ``imidkb_loose_xref`` (they are not
the same thing). KGX does not take a ``/`` in a CURIE's local part
(kgx.prefix_manager.PrefixManager.is_curie), so the knowledge base's CURIE
``IMIDKB:diseases/psoriasis`` (:func:`imidkb.exports.kb_curie`) is written
with one prefix per kind of record, ``IMIDKB.diseases:psoriasis``
(:func:`kgx_curie`; :func:`kgx_prefixes` says what each expands to: the API
resource, so both name the same IRI). The node's ``iri`` is that IRI and its
``xref`` has the ``IMIDKB:`` CURIE too, so that the graph joins the SSSOM
mappings. These prefixes are not in Biolink's prefix map: a validator is
given them (kgx_prefixes()).

Categories: diseases (groups and conditions too) ``biolink:Disease``;
symptoms ``biolink:PhenotypicFeature``; drugs ``biolink:Drug``; drug classes
``biolink:Drug`` (a class of medicines) or ``biolink:Treatment`` where the
class is a cell therapy (its ``modality``); mechanisms of kind ``process``
``biolink:BiologicalProcess``, and the causes and risk factors (infections,
genes, environment, medicines...) ``biolink:NamedThing``, as the knowledge
base does not say more; body systems ``biolink:AnatomicalEntity``.

Edges (each link row of the knowledge base is one edge):

- disease ``biolink:has_phenotype`` symptom. The frequency is a word in the
  sources ("common", "some", "very-common"), not a number or an HPO frequency
  term, so it is not put in ``frequency_qualifier`` (whose range is an HPO
  frequency term or a ratio); it is kept as the word in ``imidkb_frequency``.
- drug or drug class ``biolink:treats`` disease (purpose ``treat``),
  ``biolink:preventative_for_condition`` (``prevent``),
  ``biolink:studied_to_treat`` (``research``); the purpose is kept in
  ``imidkb_purpose``.
- drug ``biolink:member_of`` its class; class ``biolink:subclass_of`` its
  parent class; disease ``biolink:subclass_of`` the group it belongs to.
- disease relations: ``increases-risk-of``
  ``biolink:associated_with_increased_likelihood_of``
  (``predisposes_to_condition`` takes a chemical or treatment as subject),
  ``may-lead-to`` ``biolink:contributes_to``; the kind is kept in
  ``imidkb_relation``.
- mechanism to disease: role ``cause`` ``biolink:causes``, ``drives`` and
  ``believed-cause`` ``biolink:contributes_to``, ``risk-factor``
  ``biolink:associated_with_increased_likelihood_of``, ``shared``
  ``biolink:related_to``; the
  role is kept in ``imidkb_role``.
- drug class ``biolink:has_adverse_event`` symptom or condition, with the
  frequency word and whether the source speaks of a raised risk.
- disease ``biolink:related_to`` body system, ``imidkb_relation``
  ``affects-body-system`` (the sources name the organs a disease affects,
  not where it is located).

Every edge is a curated statement: ``knowledge_level``
``knowledge_assertion``, ``agent_type`` ``manual_agent``, and its
``primary_knowledge_source`` is ``infores:imid-kb``. That infores id is not
registered in the Biolink information resource registry; it is the id the
knowledge base gives itself. The citations (source and section) are in
``imidkb_citations`` as ``<source CURIE> \u00a7 <section>``; ``publications`` holds
the source's web address where the knowledge base has one, else the
source's own CURIE (``IMIDKB.sources:<slug>``), so that every edge names what
it was curated from.
"""

import json

from imidkb.exports import (
    ExportFile,
    Snapshot,
    kb_curie,
    kb_iri_base,
    kb_prefix,
    register,
)

PRIMARY_SOURCE = "infores:imid-kb"
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "manual_agent"

NODE_COLUMNS = [
    "id",
    "category",
    "name",
    "description",
    "synonym",
    "xref",
    "imidkb_loose_xref",
    "iri",
    "provided_by",
    "imidkb_kind",
]
EDGE_COLUMNS = [
    "id",
    "subject",
    "predicate",
    "object",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "imidkb_citations",
    "imidkb_frequency",
    "imidkb_purpose",
    "imidkb_relation",
    "imidkb_role",
    "imidkb_increased_risk",
    "imidkb_note",
]
MULTIVALUED = {
    "category",
    "synonym",
    "xref",
    "imidkb_loose_xref",
    "provided_by",
    "publications",
    "imidkb_citations",
}

PURPOSE_PREDICATES = {
    "treat": "biolink:treats",
    "prevent": "biolink:preventative_for_condition",
    "research": "biolink:studied_to_treat",
}
RELATION_PREDICATES = {
    "increases-risk-of": "biolink:associated_with_increased_likelihood_of",
    "may-lead-to": "biolink:contributes_to",
}
ROLE_PREDICATES = {
    "cause": "biolink:causes",
    "drives": "biolink:contributes_to",
    "believed-cause": "biolink:contributes_to",
    "risk-factor": "biolink:associated_with_increased_likelihood_of",
    "shared": "biolink:related_to",
}
FALLBACK_PREDICATE = "biolink:related_to"


def kgx_curie(prefix: str, slug: str) -> str:
    """A record's CURIE in the KGX files: IMIDKB.diseases:psoriasis."""
    return f"{kb_prefix()}.{prefix}:{slug}"


def kgx_prefixes(snapshot: Snapshot | None = None) -> dict[str, str]:
    """The CURIE prefixes of the KGX files that Biolink's prefix map lacks,
    and what each expands to."""
    base = kb_iri_base()
    kinds = [prefix for prefix, *_ in NODE_KINDS] + ["sources"]
    return {
        kb_prefix(): base,
        **{f"{kb_prefix()}.{prefix}": f"{base}{prefix}/" for prefix in kinds},
    }


def _ref(prefix: str, brief: dict | None) -> str | None:
    return kgx_curie(prefix, brief["slug"]) if brief else None


def _xrefs(record: dict, match: str) -> list[str]:
    return sorted(
        {
            identifier["curie"]
            for identifier in record.get("identifiers") or []
            if identifier.get("match") == match
        }
    )


def _mechanism_category(record: dict) -> str:
    return (
        "biolink:BiologicalProcess"
        if record.get("kind") == "process"
        else "biolink:NamedThing"
    )


def _drug_class_category(record: dict) -> str:
    return (
        "biolink:Treatment"
        if record.get("modality") == "cell-therapy"
        else "biolink:Drug"
    )


NODE_KINDS = (
    # prefix, category (a function of the record), description field
    ("diseases", lambda record: "biolink:Disease", "summary"),
    ("symptoms", lambda record: "biolink:PhenotypicFeature", "description"),
    ("drug-classes", _drug_class_category, "summary"),
    ("drugs", lambda record: "biolink:Drug", "summary"),
    ("mechanisms", _mechanism_category, "summary"),
    ("body-systems", lambda record: "biolink:AnatomicalEntity", "description"),
)


def nodes(snapshot: Snapshot) -> list[dict]:
    base = kb_iri_base()
    out = []
    for prefix, category, description in NODE_KINDS:
        for record in snapshot.records(prefix):
            out.append(
                {
                    "id": kgx_curie(prefix, record["slug"]),
                    "category": [category(record)],
                    "name": record["name"],
                    "description": record.get(description) or "",
                    "synonym": list(record.get("synonyms") or []),
                    "xref": [
                        kb_curie(prefix, record["slug"]),
                        *_xrefs(record, "exact"),
                    ],
                    "imidkb_loose_xref": _xrefs(record, "loose"),
                    "iri": f"{base}{prefix}/{record['slug']}",
                    "provided_by": [PRIMARY_SOURCE],
                    "imidkb_kind": record.get("kind") or "",
                }
            )
    return out


def _source_addresses(snapshot: Snapshot) -> dict[str, str]:
    """Source slug -> its web address where the knowledge base has one."""
    addresses = {}
    for entry in snapshot.release.get("attribution") or []:
        if entry.get("web_url"):
            addresses[entry["source"]["slug"]] = entry["web_url"]
    for record in snapshot.records("sources"):
        if record.get("web_url"):
            addresses[record["slug"]] = record["web_url"]
    return addresses


def _edge(subject, predicate, obj, row, addresses, **properties) -> dict:
    citations = row.get("citations") or []
    publications, cited = [], []
    for citation in citations:
        slug = citation["source"]["slug"]
        source = kgx_curie("sources", slug)
        publication = addresses.get(slug, source)
        if publication not in publications:
            publications.append(publication)
        text = (
            f"{source} \u00a7 {citation['section']}"
            if citation.get("section")
            else source
        )
        if text not in cited:
            cited.append(text)
    edge = {
        "id": "",
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "knowledge_level": KNOWLEDGE_LEVEL,
        "agent_type": AGENT_TYPE,
        "primary_knowledge_source": PRIMARY_SOURCE,
        "publications": publications,
        "imidkb_citations": cited,
        "imidkb_note": row.get("note") or "",
    }
    edge.update({key: value for key, value in properties.items() if value is not None})
    return edge


def edges(snapshot: Snapshot) -> list[dict]:
    addresses = _source_addresses(snapshot)
    out = []

    def add(subject, predicate, obj, row, **properties):
        if subject and obj:
            out.append(_edge(subject, predicate, obj, row, addresses, **properties))

    for row in snapshot.records("disease-symptoms"):
        add(
            _ref("diseases", row["disease"]),
            "biolink:has_phenotype",
            _ref("symptoms", row["symptom"]),
            row,
            imidkb_frequency=row.get("frequency"),
        )
    for row in snapshot.records("indications"):
        purpose = row.get("purpose")
        subject = _ref("drugs", row.get("drug")) or _ref(
            "drug-classes", row.get("drug_class")
        )
        add(
            subject,
            PURPOSE_PREDICATES.get(purpose, FALLBACK_PREDICATE),
            _ref("diseases", row["disease"]),
            row,
            imidkb_purpose=purpose,
        )
    for drug in snapshot.records("drugs"):
        add(
            kgx_curie("drugs", drug["slug"]),
            "biolink:member_of",
            _ref("drug-classes", drug.get("drug_class")),
            drug,
        )
    for drug_class in snapshot.records("drug-classes"):
        add(
            kgx_curie("drug-classes", drug_class["slug"]),
            "biolink:subclass_of",
            _ref("drug-classes", drug_class.get("parent")),
            drug_class,
        )
    for row in snapshot.records("disease-memberships"):
        add(
            _ref("diseases", row["member"]),
            "biolink:subclass_of",
            _ref("diseases", row["parent"]),
            row,
        )
    for row in snapshot.records("disease-relations"):
        kind = row.get("kind")
        add(
            _ref("diseases", row["subject"]),
            RELATION_PREDICATES.get(kind, FALLBACK_PREDICATE),
            _ref("diseases", row["target"]),
            row,
            imidkb_relation=kind,
        )
    for row in snapshot.records("disease-mechanisms"):
        role = row.get("role")
        add(
            _ref("mechanisms", row["mechanism"]),
            ROLE_PREDICATES.get(role, FALLBACK_PREDICATE),
            _ref("diseases", row["disease"]),
            row,
            imidkb_role=role,
        )
    for row in snapshot.records("adverse-effects"):
        add(
            _ref("drugs", row.get("drug"))
            or _ref("drug-classes", row.get("drug_class")),
            "biolink:has_adverse_event",
            _ref("symptoms", row.get("symptom"))
            or _ref("diseases", row.get("condition")),
            row,
            imidkb_frequency=row.get("frequency"),
            imidkb_increased_risk=row.get("increased_risk"),
        )
    for row in snapshot.records("disease-body-systems"):
        add(
            _ref("diseases", row["disease"]),
            FALLBACK_PREDICATE,
            _ref("body-systems", row["body_system"]),
            row,
            imidkb_relation="affects-body-system",
        )
    # Ids: the statement's subject, predicate and object and its rank among
    # edges with the same three (a row's own properties tell them apart).
    seen: dict[tuple, int] = {}
    for edge in out:
        key = (edge["subject"], edge["predicate"], edge["object"])
        seen[key] = seen.get(key, 0) + 1
        local = edge["predicate"].removeprefix("biolink:")
        edge["id"] = f"{edge['subject']}--{local}--{edge['object']}" + (
            f"--{seen[key]}" if seen[key] > 1 else ""
        )
    return out


def _tsv_value(column: str, value) -> str:
    if value is None:
        return ""
    if column in MULTIVALUED:
        value = "|".join(value)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value)
    # A value never breaks the row: tabs and line breaks become spaces.
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _tsv(rows: list[dict], columns: list[str]) -> bytes:
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append(
            "\t".join(_tsv_value(column, row.get(column)) for column in columns)
        )
    return ("\n".join(lines) + "\n").encode()


def _jsonl(rows: list[dict]) -> bytes:
    # JSON Lines: a property without a value is left out rather than "".
    return "".join(
        json.dumps(
            {key: value for key, value in row.items() if value not in ("", [], None)},
            ensure_ascii=False,
        )
        + "\n"
        for row in rows
    ).encode()


def _field(name: str, description: str, type_: str = "string", **more) -> dict:
    return {"name": name, "type": type_, "description": description, **more}


LIST_NOTE = " (several values separated by |)"
NODE_SCHEMA = {
    "fields": [
        _field(
            "id",
            "The node's CURIE: IMIDKB.<resource>:<slug>.",
            constraints={"required": True, "unique": True},
        ),
        _field(
            "category", "Biolink categories" + LIST_NOTE, constraints={"required": True}
        ),
        _field("name", "The record's name."),
        _field("description", "The record's summary."),
        _field("synonym", "Synonyms" + LIST_NOTE),
        _field("xref", "Exact external identifiers (CURIEs)" + LIST_NOTE),
        _field(
            "imidkb_loose_xref", "Loosely matching external identifiers" + LIST_NOTE
        ),
        _field("iri", "What the node id expands to: the API resource.", format="uri"),
        _field("provided_by", "The knowledge source" + LIST_NOTE),
        _field(
            "imidkb_kind", "The record's kind in the knowledge base, if it has one."
        ),
    ],
    "primaryKey": ["id"],
}
EDGE_SCHEMA = {
    "fields": [
        _field("id", "The edge's id.", constraints={"required": True, "unique": True}),
        _field("subject", "The subject node's id.", constraints={"required": True}),
        _field("predicate", "The Biolink predicate.", constraints={"required": True}),
        _field("object", "The object node's id.", constraints={"required": True}),
        _field(
            "knowledge_level",
            "Biolink knowledge level.",
            constraints={"enum": [KNOWLEDGE_LEVEL]},
        ),
        _field("agent_type", "Biolink agent type.", constraints={"enum": [AGENT_TYPE]}),
        _field(
            "primary_knowledge_source",
            "The knowledge source (infores id).",
            constraints={"enum": [PRIMARY_SOURCE]},
        ),
        _field("publications", "Web addresses or CURIEs of the sources" + LIST_NOTE),
        _field(
            "imidkb_citations",
            "Citations, '<source CURIE> \u00a7 <section>'" + LIST_NOTE,
        ),
        _field(
            "imidkb_frequency", "The frequency in the source's words (not a number)."
        ),
        _field(
            "imidkb_purpose", "An indication's purpose: treat, prevent or research."
        ),
        _field("imidkb_relation", "The knowledge base's kind of relation."),
        _field("imidkb_role", "A mechanism's role for the disease."),
        _field(
            "imidkb_increased_risk",
            "An adverse effect that is a raised risk.",
            "boolean",
            trueValues=["true"],
            falseValues=["false"],
        ),
        _field("imidkb_note", "The curator's note."),
    ],
    "primaryKey": ["id"],
}
TSV_DIALECT = {"delimiter": "\t", "quoteChar": "\u0000", "header": True}
# Frictionless: "" is missing (KGX TSV writes an empty cell for no value).
for _schema in (NODE_SCHEMA, EDGE_SCHEMA):
    _schema["missingValues"] = [""]

register(
    ExportFile(
        name="imidkb_kgx_nodes.tsv",
        title="Biolink KGX nodes (TSV)",
        description="Every disease, symptom, drug, drug class, mechanism and "
        "body system as a Biolink KGX node; multivalued fields separated by |.",
        media_type="text/tab-separated-values",
        format="tsv",
        write=lambda snapshot: _tsv(nodes(snapshot), NODE_COLUMNS),
        schema=NODE_SCHEMA,
        dialect=TSV_DIALECT,
    )
)
register(
    ExportFile(
        name="imidkb_kgx_edges.tsv",
        title="Biolink KGX edges (TSV)",
        description="Every curated link as a Biolink KGX edge, with its "
        "knowledge source and citations; multivalued fields separated by |.",
        media_type="text/tab-separated-values",
        format="tsv",
        write=lambda snapshot: _tsv(edges(snapshot), EDGE_COLUMNS),
        schema=EDGE_SCHEMA,
        dialect=TSV_DIALECT,
    )
)
register(
    ExportFile(
        name="imidkb_kgx_nodes.jsonl",
        title="Biolink KGX nodes (JSON Lines)",
        description="The KGX nodes, one JSON object a line.",
        media_type="application/jsonl",
        format="jsonl",
        write=lambda snapshot: _jsonl(nodes(snapshot)),
    )
)
register(
    ExportFile(
        name="imidkb_kgx_edges.jsonl",
        title="Biolink KGX edges (JSON Lines)",
        description="The KGX edges, one JSON object a line.",
        media_type="application/jsonl",
        format="jsonl",
        write=lambda snapshot: _jsonl(edges(snapshot)),
    )
)
