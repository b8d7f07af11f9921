"""Disease-symptom links as HPO annotations (the phenotype.hpoa columns).

One row per disease-symptom link whose symptom has an HP id and whose disease
has an exact MONDO id, in the 12 columns of HPO's phenotype.hpoa
(https://obophenotype.github.io/human-phenotype-ontology/annotations/phenotype_hpoa/):

- database_id: the disease's exact MONDO id. HPO's own file uses OMIM,
  ORPHA and DECIPHER ids; its format documents MONDO ids as allowed, and
  MONDO is the id every curated disease of the knowledge base has exactly
  (its ORPHA references are mostly loose ones). Links of a disease with no
  exact MONDO id are left out, and counted in a header line.
- reference: the knowledge-base CURIE of each source the link cites
  (IMIDKB:sources/<slug>, resolvable under the API), ";"-separated: HPO
  wants a CURIE there, and the sources are not PubMed articles.
- evidence: TAS (traceable author statement): every link is curated by hand
  from a published text that states it.
- frequency: empty. The knowledge base states frequency in its sources'
  words ("common", "very common", "some"), not as a count or a percentage,
  and HPO's frequency terms are defined by percentage ranges: a word is not
  turned into a number. How many rows carry such a word is said in a header
  line; the word itself is in the API and the KGX edges.
- aspect: P (phenotypic abnormality). biocuration: IMIDKB[date], the date
  being the release's (the data as published then).
"""

from imidkb.exports import ExportFile, Snapshot, kb_curie
from imidkb.exports import register as register_file

# The snapshot resources the writer reads.
READS = ("disease-identifiers", "symptoms", "disease-symptoms")
NAME = "imidkb.phenotype.hpoa"
# The # lines before the column header: a fixed number, so that the
# Frictionless dialect can name the header row (frictionless 5 otherwise
# takes this file's header line for a data row).
HEADER_LINES = 6
EVIDENCE = "TAS"
ASPECT = "P"

COLUMNS = (
    ("database_id", "The disease's exact MONDO id.", True),
    ("disease_name", "The disease's name in the knowledge base.", True),
    ("qualifier", "NOT or empty (always empty: no negated links).", False),
    ("hpo_id", "The symptom's HP id.", True),
    (
        "reference",
        "The sources the link is curated from, as knowledge-base CURIEs "
        "(IMIDKB:sources/<slug>), separated by ';'.",
        True,
    ),
    ("evidence", "TAS: traceable author statement (curated from a text).", True),
    ("onset", "HP onset term (always empty: not stated).", False),
    (
        "frequency",
        "HP frequency term, n/m or % (always empty: the sources give words, "
        "not numbers).",
        False,
    ),
    ("sex", "MALE or FEMALE (always empty: not stated).", False),
    ("modifier", "HP modifier terms (always empty: not stated).", False),
    ("aspect", "P: phenotypic abnormality.", True),
    ("biocuration", "IMIDKB[YYYY-MM-DD]: the release's date.", True),
)
SCHEMA = {
    "fields": [
        {
            "name": name,
            "type": "string",
            "description": description,
            **({"constraints": {"required": True}} if required else {}),
        }
        for name, description, required in COLUMNS
    ],
    "missingValues": [""],
}


def hp_ids(snapshot: Snapshot) -> dict[str, list[str]]:
    return {
        symptom["slug"]: [
            identifier["curie"]
            for identifier in symptom.get("identifiers", [])
            if identifier["system"] == "HP" and identifier["match"] == "exact"
        ]
        for symptom in snapshot.records("symptoms")
    }


def mondo_ids(snapshot: Snapshot) -> dict[str, str]:
    """Each disease's exact MONDO id (the preferred one, if several)."""
    found: dict[str, list] = {}
    for row in snapshot.records("disease-identifiers"):
        if row["system"] == "MONDO" and row["match"] == "exact":
            found.setdefault(row["disease"]["slug"], []).append(row)
    return {
        slug: sorted(rows, key=lambda r: (r["preferred"] is not True, r["curie"]))[0][
            "curie"
        ]
        for slug, rows in found.items()
    }


def annotation_rows(snapshot: Snapshot) -> tuple[list[dict], dict]:
    hp, mondo = hp_ids(snapshot), mondo_ids(snapshot)
    date = str(snapshot.release["cut_at"])[:10]
    rows, counts = [], {"no_hp": 0, "no_mondo": 0, "frequency_word": 0}
    for link in snapshot.records("disease-symptoms"):
        terms = hp.get(link["symptom"]["slug"], [])
        if not terms:
            counts["no_hp"] += 1
            continue
        disease = link["disease"]
        database_id = mondo.get(disease["slug"])
        if database_id is None:
            counts["no_mondo"] += 1
            continue
        references = sorted(
            {kb_curie("sources", c["source"]["slug"]) for c in link["citations"]}
        )
        for term in terms:
            if link.get("frequency"):
                counts["frequency_word"] += 1
            rows.append(
                {
                    "database_id": database_id,
                    "disease_name": disease["name"],
                    "qualifier": "",
                    "hpo_id": term,
                    "reference": ";".join(references),
                    "evidence": EVIDENCE,
                    "onset": "",
                    "frequency": "",
                    "sex": "",
                    "modifier": "",
                    "aspect": ASPECT,
                    "biocuration": f"IMIDKB[{date}]",
                }
            )
    rows.sort(key=lambda row: (row["database_id"], row["hpo_id"]))
    return rows, counts


def header(snapshot: Snapshot, counts: dict) -> list[str]:
    release = snapshot.release
    return [
        "#description: IMID-KB disease-phenotype annotations, in the columns "
        "of HPO's phenotype.hpoa. database_id is the disease's exact MONDO id "
        "(HPO's own file uses OMIM, ORPHA and DECIPHER ids); reference names "
        "the knowledge base's sources as IMIDKB:sources/<slug> CURIEs.",
        f"#version: {snapshot.label}",
        f"#date: {str(release['cut_at'])[:10]}",
        f"#license: {release['licence']['url']}",
        f"#omitted: {counts['no_mondo']} disease-symptom links of diseases with "
        f"no exact MONDO id; {counts['no_hp']} links of symptoms with no HP id",
        f"#frequency: left empty; {counts['frequency_word']} rows have a "
        "frequency stated in words in the knowledge base (see its API or the "
        "KGX edges), which is not a count or a percentage",
    ]


def clean(value: str) -> str:
    return " ".join(str(value).split())


def write(snapshot: Snapshot) -> bytes:
    rows, counts = annotation_rows(snapshot)
    columns = [name for name, _description, _required in COLUMNS]
    lines = header(snapshot, counts)
    assert len(lines) == HEADER_LINES
    lines.append("\t".join(columns))
    lines += ["\t".join(clean(row[name]) for name in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


register_file(
    ExportFile(
        name=NAME,
        title="Disease-phenotype annotations (HPO annotation format)",
        description="The disease-symptom links whose symptom has an HP id, in "
        "the phenotype.hpoa columns: diseases by their exact MONDO id, the "
        "sources as references, evidence TAS.",
        media_type="text/tab-separated-values",
        format="tsv",
        write=write,
        schema=SCHEMA,
        dialect={
            "delimiter": "\t",
            "commentChar": "#",
            "headerRows": [HEADER_LINES + 1],
        },
        comment_char="#",
    )
)
