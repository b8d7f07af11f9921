"""Render the curation audit (docs/curation/*.md) from its tables.

The tables are the audit: facts.tsv (each fact a text states and the records
that hold it), support.tsv (for each record with prose, the facts behind each
of its sentences), hedges.tsv (hedges the records must carry) and sections.tsv
(the sections of each text and how unheaded ones are named). Edit them, then
run `python docs/curation/render.py` from the repository root.
tests/test_source_fidelity.py checks the tables against the fixtures and the
texts, and that these files are rendered from the current tables.
"""

import csv
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

TEXTS = {
    "encyclopedia-imid": "000-imid-encyclopedia.md",
    "imid-bio-uk": "001-imid-bio-uk.md",
    "wikimd-immune-dysregulation": "002-immune-dysregulation.md",
    "wikimd-immunomodulatory": "003-immunomodulatory.md",
    "askvity-immune-system-medicine": "004-immune-system-medicine.md",
}
STATUS = {
    "held": "held as stated",
    "fixed": "held, corrected in issue 14",
    "added": "held, added in issue 14 (was missing)",
    "not-held": "not held",
}
COUNTS_START, COUNTS_END = "<!-- counts: rendered -->", "<!-- /counts -->"


def read(name: str) -> list[dict]:
    with (HERE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z'\"(])", text.strip())


def fixture_prose() -> dict[tuple[str, str], str]:
    """(record ref, field) -> prose, for the records support.tsv names."""
    from django.apps import apps
    from django.conf import settings

    prose = {}
    for path in sorted(Path(settings.FIXTURE_DIRS[0]).glob("*.json")):
        for record in json.loads(path.read_text("utf-8")):
            model = apps.get_model(record["model"])
            if not hasattr(model, "natural_key_lookups"):
                continue
            fields, parts = record["fields"], []
            for lookup in model.natural_key_lookups:
                value = fields[lookup.split("__")[0]]
                parts.append(
                    "-"
                    if value is None
                    else "/".join(map(str, value))
                    if isinstance(value, list)
                    else str(value)
                )
            key = f"{record['model']}:{'/'.join(parts)}"
            for field, value in fields.items():
                if isinstance(value, str) and value:
                    prose[key, field] = value
    return prose


def render_text(source: str, facts, support, hedges, sections, prose) -> str:
    mine = [f for f in facts if f["source"] == source]
    ids = {f["id"] for f in mine}
    row = next(r for r in sections if r["source"] == source)
    out = [
        f"# Audit: `{row['file']}` (source `{source}`)",
        "",
        "Rendered by `render.py` from the tables in this directory; edit the tables,",
        "not this file. Facts are in the project's words; the text is not quoted.",
        "",
        "## Sections",
        "",
        "| section | in the text | citable |",
        "|---|---|---|",
    ]
    kinds = {
        "heading": "heading",
        "lead": "unheaded opening (named by convention)",
        "unheaded": "unheaded paragraph (named by convention)",
    }
    for r in sections:
        if r["source"] == source:
            out.append(
                f"| {cell(r['section'])} | {kinds[r['kind']]}: begins "
                f"“{cell(r['anchor'])}” | {r['citable']} |"
            )
    counts = Counter(f["status"] for f in mine)
    out += [
        "",
        f"## Facts ({len(mine)}: "
        + ", ".join(f"{counts[s]} {STATUS[s]}" for s in STATUS if counts[s])
        + ")",
        "",
        "| # | section | fact | status | held by | note |",
        "|---|---|---|---|---|---|",
    ]
    for f in mine:
        held = "<br>".join(f"`{h}`" for h in f["held_by"].split(";") if h != "-")
        out.append(
            f"| {f['id']} | {cell(f['section'])} | {cell(f['fact'])} | "
            f"{STATUS[f['status']]} | {held or '—'} | {cell(f['comment'])} |"
        )
    out += [
        "",
        "## Records with prose that rest on this text",
        "",
        "Each sentence of the record's field, with the facts above that support it",
        "(AUDIT: a statement about the texts themselves, such as 'says nothing more';",
        "REF: a reference data set).",
        "",
    ]
    for s in support:
        groups = [g.split(",") for g in s["support"].split(" | ")]
        if not ids & {t.strip() for g in groups for t in g}:
            continue
        text = prose.get((s["record"], s["field"]), "")
        out.append(f"### `{s['record']}` — {s['field']}")
        out.append("")
        for sentence, group in zip(sentences(text), groups, strict=False):
            out.append(f"- {sentence} — {', '.join(t.strip() for t in group)}")
        out.append("")
    carried = [h for h in hedges if h["source"] == source]
    out += [
        "## Hedges the records carry",
        "",
        "| fact | section | hedge in the text | record | field | carried as |",
        "|---|---|---|---|---|---|",
    ]
    for h in carried:
        out.append(
            f"| {h['fact']} | {cell(h['section'])} | {h['hedge']} | `{h['record']}` | "
            f"{h['field']} | {h['carried']} |"
        )
    out.append("")
    return "\n".join(out)


def render_others(facts, support, prose) -> list[str]:
    """Prose that rests on no fact of the five texts: identifier notes (on the
    reference sets) and the sources' own descriptions."""
    ids = {f["id"] for f in facts}
    lines = [
        "",
        "Prose that rests on no fact of the five texts (identifier notes, from the",
        "reference sets; descriptions of the sources themselves):",
        "",
        "| record | field | text | support |",
        "|---|---|---|---|",
    ]
    for s in support:
        tokens = {t.strip() for t in re.split(r"[|,]", s["support"])}
        if tokens & ids:
            continue
        text = cell(prose.get((s["record"], s["field"]), ""))
        lines.append(
            f"| `{s['record']}` | {s['field']} | {text} | {cell(s['support'])} |"
        )
    return lines


def render_counts(facts, support, hedges, prose) -> str:
    lines = [
        COUNTS_START,
        "",
        "| text | facts | held as stated | corrected | added | not held | audit |",
        "|---|---|---|---|---|---|---|",
    ]
    for source, filename in TEXTS.items():
        counts = Counter(f["status"] for f in facts if f["source"] == source)
        lines.append(
            f"| `{source}` | {sum(counts.values())} | {counts['held']} | "
            f"{counts['fixed']} | {counts['added']} | {counts['not-held']} | "
            f"[{filename}]({filename}) |"
        )
    total = Counter(f["status"] for f in facts)
    lines.append(
        f"| all | {len(facts)} | {total['held']} | {total['fixed']} | "
        f"{total['added']} | {total['not-held']} | |"
    )
    where = Counter(
        h.split(":")[0] for f in facts for h in f["held_by"].split(";") if h != "-"
    )
    lines += [
        "",
        "Where the held facts live (one fact may be held by several records):",
        "",
        "| model | fact holdings |",
        "|---|---|",
        *[f"| `{model}` | {n} |" for model, n in sorted(where.items())],
        "",
        f"{len(support)} record fields with prose are mapped sentence by sentence "
        f"(support.tsv); {len(hedges)} hedges are checked (hedges.tsv).",
        *render_others(facts, support, prose),
        "",
        COUNTS_END,
    ]
    return "\n".join(lines)


def render() -> dict[str, str]:
    facts, support = read("facts.tsv"), read("support.tsv")
    hedges, sections = read("hedges.tsv"), read("sections.tsv")
    prose = fixture_prose()
    files = {
        filename: render_text(source, facts, support, hedges, sections, prose)
        for source, filename in TEXTS.items()
    }
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(COUNTS_START), readme.index(COUNTS_END)
    files["README.md"] = (
        readme[:start]
        + render_counts(facts, support, hedges, prose)
        + readme[end + len(COUNTS_END) :]
    )
    return files


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imidkb.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    for name, text in render().items():
        (HERE / name).write_text(text, encoding="utf-8")
        print("wrote", HERE / name)
