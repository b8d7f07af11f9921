"""Every cross-reference of the knowledge base as one SSSOM mapping set.

One row per identifier row (diseases, drugs, drug classes) and per HP id of a
symptom: the record (``IMIDKB:diseases/psoriasis``) is the subject, the
identifier the object. Exact matches are ``skos:exactMatch``; loose ones
(Orphanet's "non rare in Europe" groupings, which MONDO itself keeps as
database cross-references only) are ``oboInOwl:hasDbXref``, so that a tool
reading the set never takes a loose reference for an equivalence. Every row
is manual curation (``semapv:ManualMappingCuration``) and names, in
``comment``, the reference text and section(s) it was curated from.

The set's metadata is the SSSOM TSV embedded YAML block (``#`` lines):
the CURIE map, the set's id (where the file is served), its version (the
release), licence and date.
"""

import json

from django.conf import settings

from imidkb.exports import ExportFile, Snapshot, kb_curie, kb_iri_base, kb_prefix
from imidkb.exports import register as register_file

# The snapshot resources the writer reads.
READS = (
    "disease-identifiers",
    "drug-identifiers",
    "drug-class-identifiers",
    "symptoms",
)
NAME = "imidkb.sssom.tsv"

# What each identifier system's CURIE prefix expands to, copied from the
# extended prefix map sssom-py ships (sssom/obo.epm.json, the Bioregistry's
# OBO-flavoured map; ORPHA, ICD10, ICD10CM and ATC are synonyms there of
# Orphanet, ICD10WHO, icd10cm and atc). tests/imidkb/test_export_sssom.py
# checks every entry against that file, and the writer refuses a prefix that
# is not here rather than guess its expansion.
OBJECT_PREFIXES = {
    "ATC": "http://www.whocc.no/atc_ddd_index/?code=",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "ICD10": "https://icd.who.int/browse10/2019/en#/",
    "ICD10CM": "https://www.icd10data.com/search?s=",
    "icd11.foundation": "http://id.who.int/icd/entity/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "ORPHA": "http://www.orpha.net/ORDO/Orphanet_",
    "UMLS": "https://uts.nlm.nih.gov/uts/umls/concept/",
}
# The vocabularies the rows use (SSSOM's built-in prefixes, same source).
BUILT_IN_PREFIXES = {
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}

PREDICATES = {"exact": "skos:exactMatch", "loose": "oboInOwl:hasDbXref"}
JUSTIFICATION = "semapv:ManualMappingCuration"

# Link rows of identifiers: (resource prefix, the row's key of its record).
IDENTIFIER_RESOURCES = (
    ("disease-identifiers", "diseases", "disease"),
    ("drug-identifiers", "drugs", "drug"),
    ("drug-class-identifiers", "drug-classes", "drug_class"),
)

COLUMNS = (
    ("subject_id", "The knowledge base's record (its CURIE)."),
    ("subject_label", "The record's name."),
    (
        "predicate_id",
        "skos:exactMatch for an exact match, oboInOwl:hasDbXref for a loose "
        "cross-reference that is not an equivalence.",
    ),
    ("object_id", "The identifier in the other system (a CURIE)."),
    ("object_label", "The identifier's label in that system."),
    ("mapping_justification", "Always semapv:ManualMappingCuration."),
    (
        "comment",
        "The reference text(s) and section(s) the row was curated from "
        "(source name: section; ...), then the knowledge base's note.",
    ),
)

SCHEMA = {
    "fields": [
        {"name": name, "type": "string", "description": description}
        for name, description in COLUMNS
    ],
    "missingValues": [""],
}
for _field in SCHEMA["fields"][:4] + SCHEMA["fields"][5:6]:
    _field["constraints"] = {"required": True}


def prefix_of(curie: str) -> str:
    return curie.partition(":")[0]


def cited(citations) -> str:
    return "; ".join(
        f"{c['source']['name']}: {c['section']}"
        if c.get("section")
        else c["source"]["name"]
        for c in citations or []
    )


def comment(citations, note: str, lead: str = "Cited from") -> str:
    parts = []
    if citations:
        parts.append(f"{lead} {cited(citations)}.")
    if note:
        parts.append(note)
    return " ".join(parts)


def mapping_rows(snapshot: Snapshot) -> list[dict]:
    rows = []
    for resource, api_prefix, key in IDENTIFIER_RESOURCES:
        for row in snapshot.records(resource):
            record = row[key]
            rows.append(
                {
                    "subject_id": kb_curie(api_prefix, record["slug"]),
                    "subject_label": record["name"],
                    "predicate_id": PREDICATES[row["match"]],
                    "object_id": row["curie"],
                    "object_label": row["label"] or "",
                    "mapping_justification": JUSTIFICATION,
                    "comment": comment(row.get("citations"), row.get("note") or ""),
                }
            )
    for symptom in snapshot.records("symptoms"):
        for identifier in symptom.get("identifiers", []):
            rows.append(
                {
                    "subject_id": kb_curie("symptoms", symptom["slug"]),
                    "subject_label": symptom["name"],
                    "predicate_id": PREDICATES[identifier["match"]],
                    "object_id": identifier["curie"],
                    "object_label": identifier["label"] or "",
                    "mapping_justification": JUSTIFICATION,
                    "comment": comment(
                        symptom.get("citations"),
                        identifier.get("note") or "",
                        lead="The symptom record cites",
                    ),
                }
            )
    unknown = {prefix_of(row["object_id"]) for row in rows} - set(OBJECT_PREFIXES)
    if unknown:
        raise ValueError(
            f"no CURIE expansion known for {sorted(unknown)}: add it to "
            "OBJECT_PREFIXES from sssom-py's prefix map"
        )
    rows.sort(key=lambda row: (row["subject_id"], row["object_id"]))
    return rows


def mapping_set_id(snapshot: Snapshot) -> str:
    base = settings.IMIDKB_PUBLIC_URL.rstrip("/") + "/api/v1/"
    number = snapshot.release.get("number")
    where = "exports" if number is None else f"releases/{number}/exports"
    return f"{base}{where}/{NAME}/"


def cut_date(release: dict) -> str:
    """The release's date, YYYY-MM-DD (cut_at: a timestamp or its text)."""
    return str(release["cut_at"])[:10]


def yaml_scalar(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(value)


def metadata(snapshot: Snapshot, rows: list[dict]) -> list[str]:
    used = sorted({prefix_of(row["object_id"]) for row in rows})
    curie_map = {kb_prefix(): kb_iri_base()}
    curie_map |= {prefix: OBJECT_PREFIXES[prefix] for prefix in used}
    curie_map |= BUILT_IN_PREFIXES
    release = snapshot.release
    lines = ["curie_map:"]
    lines += [f"  {prefix}: {yaml_scalar(iri)}" for prefix, iri in curie_map.items()]
    lines += [
        f"mapping_set_id: {yaml_scalar(mapping_set_id(snapshot))}",
        f"mapping_set_version: {yaml_scalar(snapshot.label)}",
        f"mapping_set_title: {yaml_scalar('IMID-KB cross-references')}",
        "mapping_set_description: "
        + yaml_scalar(
            "Every cross-reference of the IMID-KB knowledge base (diseases, "
            "drugs, drug classes, symptoms): exact matches as skos:exactMatch, "
            "loose ones as oboInOwl:hasDbXref. " + release["how_to_cite"]
        ),
        f"license: {yaml_scalar(release['licence']['url'])}",
        f"mapping_date: {yaml_scalar(cut_date(release))}",
    ]
    return [f"# {line}" if line else "#" for line in lines]


def write(snapshot: Snapshot) -> bytes:
    rows = mapping_rows(snapshot)
    columns = [name for name, _description in COLUMNS]
    lines = metadata(snapshot, rows)
    lines.append("\t".join(columns))
    for row in rows:
        lines.append("\t".join(clean(row[name]) for name in columns))
    return ("\n".join(lines) + "\n").encode()


def clean(value: str) -> str:
    """One TSV cell: no tab or line break inside it."""
    return " ".join(str(value).split())


register_file(
    ExportFile(
        name=NAME,
        title="Cross-references (SSSOM)",
        description="Every cross-reference of the knowledge base as an SSSOM "
        "mapping set (TSV with its YAML metadata in # lines): exact matches "
        "skos:exactMatch, loose ones oboInOwl:hasDbXref, each row citing the "
        "reference text it was curated from.",
        media_type="text/tab-separated-values",
        format="tsv",
        write=write,
        schema=SCHEMA,
        dialect={"delimiter": "\t", "commentChar": "#"},
        comment_char="#",
    )
)
