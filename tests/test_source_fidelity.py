"""The knowledge base says what its five source texts say, and no more (issue 14).

Every check reads the fixture files, the texts in ../shared/sources/, the
reference table and the audit tables in docs/curation/ (see its README for the
curation guide). Each check is a function that returns the problems it finds;
each has a test that it finds none in the fixtures and a test that plants a
violation in memory and asserts the check reports it, so that no check can
pass vacuously.
"""

import copy
import csv
import json
import re
import runpy
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

SHARED = Path(settings.BASE_DIR).parent / "shared"
SOURCES = SHARED / "sources"
XREFS = SHARED / "reference" / "xrefs.tsv"
AUDIT = Path(settings.BASE_DIR) / "docs" / "curation"

pytestmark = pytest.mark.skipif(
    not SOURCES.is_dir() or not XREFS.is_file(),
    reason="../shared/ (source texts and reference table) is not beside the clone",
)

PROSE_FIELDS = (
    "summary",
    "description",
    "note",
    "course_notes",
    "diagnosis_notes",
    "mechanism_of_action",
    "preferred_reason",
)
NAME_FIELDS = ("abbreviations", "synonyms", "former_names")
RUN = 8


# ----------------------------------------------------------------- reading


def read_tsv(name: str) -> list[dict]:
    with (AUDIT / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def normalise(text: str) -> str:
    """Curly quotes and no-break spaces (the texts have both) as plain ones."""
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\xa0", " ")


@cache
def section_rows() -> tuple[dict, ...]:
    return tuple(read_tsv("sections.tsv"))


@cache
def texts() -> dict[str, str]:
    """Source slug -> the text's contents."""
    return {
        row["source"]: normalise(
            (SOURCES / row["file"]).read_text(encoding="utf-8", errors="ignore")
        )
        for row in section_rows()
    }


def heading_of(line: str) -> str:
    """A line as a heading reads: wiki '==X==' and '[edit | edit source]' gone."""
    return line.replace("[edit | edit source]", "").strip().strip("=").strip()


@cache
def section_spans() -> dict[tuple[str, str], str]:
    """(source slug, section) -> the text of that section, from its anchor to
    the next section's anchor. Sections not found are left out."""
    spans = {}
    for source, text in texts().items():
        rows = [row for row in section_rows() if row["source"] == source]
        found = []
        for row in rows:
            start = anchor_position(text, row)
            if start is not None:
                found.append((start, row["section"]))
        found.sort()
        for (start, section), following in zip(
            found, [*found[1:], (len(text), None)], strict=True
        ):
            spans[source, section] = text[start : following[0]]
    return spans


def anchor_position(text: str, row: dict) -> int | None:
    """Where a section starts, if the text bears out its documented kind."""
    lines = text.splitlines(keepends=True)
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line)
    headings = {
        heading_of(r["anchor"])
        for r in section_rows()
        if r["source"] == row["source"] and r["kind"] == "heading"
    }
    first_heading = next(
        (offsets[i] for i, line in enumerate(lines) if heading_of(line) in headings),
        len(text),
    )
    for offset, line in zip(offsets, lines, strict=True):
        if row["kind"] == "heading" and heading_of(line) == row["anchor"]:
            return offset
        if row["kind"] in ("lead", "unheaded") and line.strip().startswith(
            row["anchor"]
        ):
            if heading_of(line) in headings:
                continue
            if row["kind"] == "lead" and offset > first_heading:
                return None
            return offset + line.index(row["anchor"])
    return None


def load_records() -> list[dict]:
    """The curated records of every fixture file (not the Editors group)."""
    records = []
    # Read from FIXTURE_DIRS, not through the loader's module, so that this
    # check does not depend on where the loader lives.
    for path in sorted(Path(settings.FIXTURE_DIRS[0]).glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            if hasattr(apps.get_model(record["model"]), "natural_key_lookups"):
                records.append(record)
    return records


@cache
def _records() -> tuple:
    return tuple(load_records())


@pytest.fixture
def records() -> list[dict]:
    """A private copy of every fixture record, safe to plant violations in."""
    return copy.deepcopy(list(_records()))


def ref(record: dict) -> str:
    """'app.model:natural/key' for a fixture record; '-' for an empty end."""
    fields = record["fields"]
    parts = []
    for lookup in apps.get_model(record["model"]).natural_key_lookups:
        value = fields[lookup.split("__")[0]]
        if value is None:
            parts.append("-")
        elif isinstance(value, list):
            parts.append("/".join(str(v) for v in value))
        else:
            parts.append(str(value))
    return f"{record['model']}:{'/'.join(parts)}"


def by_ref(records: list[dict]) -> dict[str, dict]:
    return {ref(record): record for record in records}


def find(records: list[dict], key: str) -> dict:
    return by_ref(records)[key]["fields"]


def citations(fields: dict) -> set[tuple[str, str]]:
    return {tuple(c) for c in fields.get("citations", [])}


@cache
def xref_rows() -> tuple[dict, ...]:
    with XREFS.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle, delimiter="\t"))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", normalise(text).lower())


def occurs(name: str, text: str, *, exact_case: bool) -> bool:
    """The name as a whole word or phrase, in its plural or singular form."""
    stem = re.escape(name.removesuffix("s") if not exact_case else name)
    pattern = rf"(?<![\w-]){stem}(s|es)?(?![\w-])"
    flags = 0 if exact_case else re.IGNORECASE
    return re.search(pattern, normalise(text), flags) is not None


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z'\"(])", text.strip())


# ----------------------------------------------------------------- checks


def section_problems(records: list[dict]) -> list[str]:
    """Every citation of a text names a section of it: a heading, or an
    unheaded part named by the documented convention and saying so."""
    problems = []
    documented = {(r["source"], r["section"]): r for r in section_rows()}
    spans = section_spans()
    for row in section_rows():
        if (row["source"], row["section"]) not in spans:
            problems.append(f"sections.tsv: {row['section']!r} not found as documented")
    for record in records:
        fields = record["fields"]
        if record["model"] == "imidkb.source" and fields["slug"] in texts():
            for section in fields["sections"]:
                row = documented.get((fields["slug"], section))
                if row is None or row["citable"] != "yes":
                    problems.append(
                        f"{fields['slug']}: section {section!r} undocumented"
                    )
        if record["model"] != "imidkb.citation":
            continue
        source, section = fields["source"][0], fields["section"]
        if source not in texts():
            continue
        row = documented.get((source, section))
        if row is None or row["citable"] != "yes" or (source, section) not in spans:
            problems.append(f"citation {source} / {section!r}: no such section")
        elif row["kind"] != "heading" and "convention" not in fields["note"]:
            problems.append(
                f"citation {source} / {section!r}: unheaded, but its note does not "
                "say the name is the project's convention"
            )
    for record in records:
        for source, section in citations(record["fields"]):
            if source in texts() and (source, section) not in documented:
                problems.append(f"{ref(record)} cites {source} / {section!r}")
    return problems


def carried_identifiers(records: list[dict], record: dict) -> set[str]:
    """The identifiers a record carries (its xrefs, or a symptom's HPO id)."""
    fields, model = record["fields"], record["model"]
    if model == "diseases.symptom":
        return {fields["hpo_id"]} - {""}
    end = {
        "diseases.disease": ("diseases.diseasexref", "disease"),
        "treatments.drugclass": ("treatments.drugclassxref", "drug_class"),
        "treatments.drug": ("treatments.drugxref", "drug"),
    }.get(model)
    if end is None:
        return set()
    xref_model, field = end
    return {
        r["fields"]["identifier"]
        for r in records
        if r["model"] == xref_model and r["fields"][field] == [fields["slug"]]
    }


def name_problems(records: list[dict]) -> list[str]:
    """Every abbreviation, synonym and former name occurs in a text the record
    cites, or in a label of a reference-table row whose identifier it carries.
    Abbreviations must match letter case: "IMiDs" is not "IMIDs"."""
    problems = []
    for record in records:
        fields = record["fields"]
        cited_texts = [
            texts()[source] for source, _ in citations(fields) if source in texts()
        ]
        identifiers = carried_identifiers(records, record)
        labels = [
            text
            for row in xref_rows()
            if row["identifier"] in identifiers
            for text in (row["label"], row["identifier_label"])
        ]
        for name_field in NAME_FIELDS:
            for name in fields.get(name_field, []):
                exact_case = name_field == "abbreviations"
                if not any(
                    occurs(name, text, exact_case=exact_case)
                    for text in [*cited_texts, *labels]
                ):
                    problems.append(f"{ref(record)}: {name_field} {name!r} unsupported")
    return problems


QUALIFIER_WORDS = {
    "approximately": ["approximately"],
    "roughly": ["roughly"],
    "estimated": ["estimated"],
    "up-to": ["up to"],
    "more-than": ["more than"],
}
UNIT_MARKS = {"percent": r"\s?%", "people": r"[\w\s]{0,12}\bpeople\b"}


def number_forms(number: Decimal) -> list[str]:
    number = number.normalize()
    text = format(number, "f")
    forms = [text]
    if number == number.to_integral_value():
        whole = int(number)
        forms.append(f"{whole:,}")
        if whole and whole % 1_000_000 == 0:
            forms.append(f"{whole // 1_000_000} million")
    return forms


def qualified(span: str, match: re.Match, qualifier: str) -> bool:
    """The words just before a number carry the figure's qualifier, or none
    of the qualifier words when the figure is unqualified."""
    before = span[max(0, match.start() - 40) : match.start()].lower()
    if qualifier:
        return any(word in before for word in QUALIFIER_WORDS[qualifier])
    return not any(w in before for ws in QUALIFIER_WORDS.values() for w in ws)


def figure_problems(records: list[dict]) -> list[str]:
    """Every figure's number(s), unit and qualifier word occur together in each
    section it cites, and a study's date is not stored as a figure's data year."""
    problems = []
    studies = {
        r["fields"]["slug"]: r["fields"]
        for r in records
        if r["model"] == "epidemiology.study"
    }
    for record in records:
        if record["model"] != "epidemiology.figure":
            continue
        fields = record["fields"]
        value, lower, upper = (
            None if fields[k] is None else Decimal(fields[k])
            for k in ("value", "lower", "upper")
        )
        if value is not None:
            patterns = [re.escape(form) for form in number_forms(value)]
        elif lower is not None and upper is not None:
            patterns = [
                rf"{re.escape(lo)}\s?(?:-|\u2013|to)\s?{re.escape(up)}"
                for lo in number_forms(lower)
                for up in number_forms(upper)
            ]
        else:
            patterns = [re.escape(f) for f in number_forms(lower or upper)]
        unit = UNIT_MARKS[fields["unit"]]
        for source, section in citations(fields):
            if source not in texts():
                continue
            span = section_spans().get((source, section), "")
            hits = [
                match
                for pattern in patterns
                for match in re.finditer(rf"(?<![\d.,]){pattern}(?=(?:{unit}))", span)
            ]
            if not hits:
                problems.append(
                    f"{fields['slug']}: its number and unit are not in {section!r}"
                )
                continue

            if not any(qualified(span, m, fields["qualifier"]) for m in hits):
                problems.append(
                    f"{fields['slug']}: qualifier {fields['qualifier'] or 'none'!r} "
                    f"does not match the wording of {section!r}"
                )
            if fields["year"] is not None and str(fields["year"]) not in span:
                problems.append(f"{fields['slug']}: year not stated in {section!r}")
        study = studies.get((fields["study"] or [None])[0])
        if study and study["year"] is not None and fields["year"] == study["year"]:
            problems.append(
                f"{fields['slug']}: the study's date is stored as the data year"
            )
    return problems


def hedge_problems(records: list[dict]) -> list[str]:
    """Every hedge the audit marks as carried survives in the record's field,
    and the hedge is really in the section the record cites."""
    problems = []
    records_by_ref = by_ref(records)
    held = {row["id"]: set(row["held_by"].split(";")) for row in read_tsv("facts.tsv")}
    for row in read_tsv("hedges.tsv"):
        where = f"hedges.tsv {row['fact']} {row['record']}"
        span = section_spans().get((row["source"], row["section"]), "")
        if not re.search(rf"\b{re.escape(row['hedge'])}\b", span, re.IGNORECASE):
            problems.append(f"{where}: {row['hedge']!r} is not in {row['section']!r}")
        if row["record"] not in held.get(row["fact"], set()):
            problems.append(f"{where}: facts.tsv does not give this record")
        record = records_by_ref.get(row["record"])
        if record is None:
            problems.append(f"{where}: no such record")
            continue
        fields = record["fields"]
        if (row["source"], row["section"]) not in citations(fields):
            problems.append(f"{where}: the record does not cite the section")
        value = str(fields.get(row["field"]) or "")
        if not re.search(rf"\b{re.escape(row['carried'])}\b", value, re.IGNORECASE):
            problems.append(f"{where}: {row['carried']!r} dropped from {row['field']}")
    return problems


def copy_problems(records: list[dict]) -> list[str]:
    """No run of eight words of a source text appears in fixture prose."""
    runs = set()
    for text in texts().values():
        w = words(text)
        runs |= {" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}
    problems = []
    for record in records:
        for field in PROSE_FIELDS:
            w = words(str(record["fields"].get(field) or ""))
            problems += [
                f"{ref(record)} {field}: {' '.join(w[i : i + RUN])!r}"
                for i in range(len(w) - RUN + 1)
                if " ".join(w[i : i + RUN]) in runs
            ]
    return problems


def audit_copy_problems() -> list[str]:
    """The audit's own wording of the facts copies no run of eight words either."""
    runs = set()
    for text in texts().values():
        w = words(text)
        runs |= {" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}
    problems = []
    for fact in read_tsv("facts.tsv"):
        for column in ("fact", "comment"):
            w = words(fact[column])
            problems += [
                f"facts.tsv {fact['id']} {column}: {' '.join(w[i : i + RUN])!r}"
                for i in range(len(w) - RUN + 1)
                if " ".join(w[i : i + RUN]) in runs
            ]
    return problems


def audit_problems(records: list[dict]) -> list[str]:
    """The audit is current: every record it names exists and cites the
    section of each fact it holds; every citation of a text is backed by a fact
    of that section the record holds; every record with prose has one support
    entry per sentence, each naming facts of sections the record cites."""
    problems = []
    records_by_ref = by_ref(records)
    facts = {row["id"]: row for row in read_tsv("facts.tsv")}
    sources = {r["fields"]["slug"] for r in records if r["model"] == "imidkb.source"}
    for fact in facts.values():
        if fact["status"] == "not-held":
            continue
        for key in fact["held_by"].split(";"):
            record = records_by_ref.get(key)
            if record is None:
                problems.append(f"facts.tsv {fact['id']}: no record {key}")
            elif (fact["source"], fact["section"]) not in citations(record["fields"]):
                problems.append(
                    f"facts.tsv {fact['id']}: {key} does not cite {fact['section']!r}"
                )
    holdings = {}
    for fact in facts.values():
        for key in fact["held_by"].split(";"):
            holdings.setdefault(key, set()).add((fact["source"], fact["section"]))
    for record in records:
        if record["model"] == "imidkb.citation":
            continue
        for source, section in sorted(citations(record["fields"])):
            if source in texts() and (source, section) not in holdings.get(
                ref(record), set()
            ):
                problems.append(
                    f"{ref(record)} cites {source} / {section!r}, but facts.tsv "
                    "gives it no fact of that section"
                )
    supported = {}
    for row in read_tsv("support.tsv"):
        supported[row["record"], row["field"]] = row
    for record in records:
        for field in PROSE_FIELDS:
            text = record["fields"].get(field)
            if not text or record["model"] == "imidkb.citation":
                continue
            row = supported.pop((ref(record), field), None)
            if row is None:
                problems.append(f"support.tsv: no entry for {ref(record)} {field}")
                continue
            groups = row["support"].split(" | ")
            if len(groups) != len(sentences(text)):
                problems.append(
                    f"support.tsv {ref(record)} {field}: {len(groups)} entries for "
                    f"{len(sentences(text))} sentences"
                )
            for token in ",".join(groups).split(","):
                token = token.strip()
                if token == "AUDIT":
                    continue
                if token.startswith("REF:"):
                    cited = {source for source, _ in citations(record["fields"])}
                    if token[4:] not in sources or (
                        record["model"] != "imidkb.source" and token[4:] not in cited
                    ):
                        problems.append(f"support.tsv {ref(record)}: {token} uncited")
                    continue
                fact = facts.get(token)
                if fact is None:
                    problems.append(f"support.tsv {ref(record)}: no fact {token}")
                elif record["model"] != "imidkb.source" and (
                    fact["source"],
                    fact["section"],
                ) not in citations(record["fields"]):
                    problems.append(
                        f"support.tsv {ref(record)}: {token} is from an uncited "
                        f"section ({fact['source']} / {fact['section']})"
                    )
    problems += [f"support.tsv: stale entry {key}" for key in supported]
    return problems


# ----------------------------------------------------------------- tests


def test_every_citation_names_a_documented_section(records):
    assert section_problems(records) == []


def test_an_invented_or_unannounced_section_is_caught(records):
    citation = next(
        r
        for r in records
        if r["model"] == "imidkb.citation"
        and r["fields"]["section"] == "Disease Summary: Psoriasis"
    )
    citation["fields"]["note"] = ""
    records.append(
        {
            "model": "imidkb.citation",
            "fields": {"source": ["imid-bio-uk"], "section": "Lupus", "note": ""},
        }
    )
    problems = section_problems(records)
    assert any("'Lupus': no such section" in p for p in problems)
    assert any("Psoriasis" in p and "convention" in p for p in problems)


def test_every_name_occurs_in_a_cited_text_or_a_reference_label(records):
    assert name_problems(records) == []


def test_an_invented_synonym_or_abbreviation_is_caught(records):
    find(records, "treatments.drugclass:corticosteroids")["synonyms"].append("steroids")
    find(records, "diseases.disease:type-1-diabetes")["abbreviations"].append("T1D")
    # Right letters, wrong case: the texts' IMiDs are drugs, not the diseases.
    find(records, "treatments.drugclass:immunomodulators")["abbreviations"].append(
        "IMIDs"
    )
    # Stated by a text the record does not cite: not support.
    find(records, "treatments.drugclass:immunomodulators")["synonyms"].append(
        "immune system medicines"
    )
    problems = name_problems(records)
    assert problems == [
        "diseases.disease:type-1-diabetes: abbreviations 'T1D' unsupported",
        "treatments.drugclass:corticosteroids: synonyms 'steroids' unsupported",
        "treatments.drugclass:immunomodulators: abbreviations 'IMIDs' unsupported",
        "treatments.drugclass:immunomodulators: synonyms 'immune system medicines' "
        "unsupported",
    ]


def test_every_figure_keeps_its_number_unit_and_qualifier_as_stated(records):
    assert figure_problems(records) == []


def test_a_dropped_qualifier_a_wrong_number_or_a_study_date_as_year_is_caught(
    records,
):
    find(records, "epidemiology.figure:ra-gb-count-introduction")["qualifier"] = ""
    find(records, "epidemiology.figure:pbc-gb-count")["upper"] = "25000"
    find(records, "epidemiology.figure:psoriasis-gb-count")["qualifier"] = "up-to"
    find(records, "epidemiology.figure:asthma-share-of-new-imid-cases-2019")["year"] = (
        2019
    )
    problems = figure_problems(records)
    assert sorted(problems) == [
        "asthma-share-of-new-imid-cases-2019: the study's date is stored as the "
        "data year",
        "pbc-gb-count: its number and unit are not in 'Disease Summary: Primary "
        "Biliary Cholangitis'",
        "psoriasis-gb-count: qualifier 'up-to' does not match the wording of "
        "'Disease Summary: Psoriasis'",
        "ra-gb-count-introduction: qualifier 'none' does not match the wording of "
        "'Introduction'",
    ]


def test_every_carried_hedge_survives_in_the_record(records):
    assert hedge_problems(records) == []


def test_a_dropped_hedge_is_caught(records):
    ra = find(records, "diseases.disease:rheumatoid-arthritis")
    ra["summary"] = ra["summary"].replace("For most patients, starting", "Starting")
    fatigue = find(records, "diseases.diseasesymptom:imid/fatigue")
    fatigue["note"] = fatigue["note"].replace("often ", "")
    problems = hedge_problems(records)
    assert any(
        "rheumatoid-arthritis" in p and "'for most patients' dropped" in p
        for p in problems
    )
    assert any("imid/fatigue" in p and "'often' dropped" in p for p in problems)


def test_no_run_of_eight_words_is_shared_with_a_source(records):
    assert copy_problems(records) == []


def test_a_copied_sentence_is_caught(records):
    find(records, "diseases.disease:psoriasis")["summary"] += (
        " It can cause considerable psychological and social disability."
    )
    assert copy_problems(records) == [
        "diseases.disease:psoriasis summary: "
        "'it can cause considerable psychological and social disability'"
    ]


def test_the_audit_copies_no_run_of_eight_words():
    assert audit_copy_problems() == []


def test_the_audit_is_current(records):
    assert audit_problems(records) == []


def test_an_unaudited_sentence_an_uncited_claim_or_an_unaudited_citation_is_caught(
    records,
):
    asthma = find(records, "diseases.disease:asthma")
    asthma["summary"] += " It is very common."
    imid = find(records, "diseases.disease:imid")
    imid["citations"].remove(["imid-bio-uk", "Introduction"])
    # Eczema made a full IMID member again, on the strength of the 2019 study.
    records.append(
        {
            "model": "diseases.diseasemembership",
            "fields": {
                "note": "",
                "parent": ["imid"],
                "member": ["atopic-eczema"],
                "citations": [["encyclopedia-imid", "Epidemiology"]],
            },
        }
    )
    problems = audit_problems(records)
    assert (
        "diseases.diseasemembership:imid/atopic-eczema cites encyclopedia-imid / "
        "'Epidemiology', but facts.tsv gives it no fact of that section"
    ) in problems
    assert any(
        "disease:asthma summary: 1 entries for 2 sentences" in p for p in problems
    )
    assert any("disease:imid: B01 is from an uncited section" in p for p in problems)


def test_the_audit_files_are_rendered_from_the_tables():
    """docs/curation/*.md are rendered from the tables by render.py."""
    rendered = runpy.run_path(str(AUDIT / "render.py"))["render"]()
    for name, text in rendered.items():
        assert (AUDIT / name).read_text(encoding="utf-8") == text, name
