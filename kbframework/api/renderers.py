"""Renderers: JSON that never reads as markup, and CSV of list rows."""

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator

from rest_framework.renderers import BaseRenderer, JSONRenderer

RELEASE_HEADER = "X-KB-Release"
VERSION_HEADER = "X-KB-Data-Version"


def flatten(value) -> str:
    """One CSV cell, by one rule in every CSV (list pages, downloads, release
    zips): a linked record {slug, name, url} is its slug, an identifier its
    CURIE, a citation "source: section"; lists are joined by "; "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if "source" in value and "section" in value:
            return f"{flatten(value['source'])}: {value['section']}"
        for key in ("slug", "curie", "name"):
            if key in value:
                return str(value[key])
        return "; ".join(f"{k}={flatten(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(flatten(item) for item in value)
    return str(value)


# A spreadsheet reads a cell that begins with one of these as a formula
# (OWASP, "CSV Injection"): "=HYPERLINK(...)" in a name would run when a
# researcher opens the file.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def defuse(cell: str) -> str:
    """A cell a spreadsheet cannot run: one that would start a formula gets
    a leading apostrophe (OWASP's advice; the spreadsheet then shows the text
    as written). Numbers such as -1.5 are left as they are."""
    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_lines(
    rows: Iterable[dict],
    release: str,
    *,
    columns: list[str] | None = None,
    header: bool = True,
) -> Iterator[str]:
    """Lines of flat CSV of serialised records, with the data release as
    last column: the header (unless header=False), then one line per row.
    The columns are the given ones, or the first row's. Every cell, the
    header included, is defused against formula injection; this is the one
    CSV writer (list pages, whole-table downloads and release zips)."""
    buffer = io.StringIO()
    # CRLF, as RFC 4180 has it: a cell holding a CR or LF is then quoted.
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([defuse(cell) for cell in cells])
        return buffer.getvalue()

    rows = iter(rows)
    first = next(rows, None)
    if columns is None:
        columns = list(first) if first is not None else []
    if header:
        yield line([*columns, "release"])
    if first is None:
        return
    for row in itertools.chain([first], rows):
        yield line([*(flatten(row.get(c)) for c in columns), release])


def rows_to_csv(
    rows: Iterable[dict], release: str, columns: list[str] | None = None
) -> str:
    """The whole CSV of these rows (see csv_lines)."""
    return "".join(csv_lines(rows, release, columns=columns))


class SafeJSONRenderer(JSONRenderer):
    """JSON with <, > and & escaped inside strings (\\u003c...), so that a
    value echoed back (an unknown slug in an error) can never read as markup,
    whatever a client makes of the response."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        body = super().render(data, accepted_media_type, renderer_context)
        return (
            body.replace(b"<", b"\\u003c")
            .replace(b">", b"\\u003e")
            .replace(b"&", b"\\u0026")
        )


class CSVRenderer(BaseRenderer):
    """text/csv for list endpoints (?format=csv or Accept: text/csv)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = data.get("results", []) if isinstance(data, dict) else data
        context = renderer_context or {}
        response, view = context.get("response"), context.get("view")
        release = response.get(RELEASE_HEADER, "") if response is not None else ""
        # Table rows (kbframework.api.downloads) know their columns, so that
        # an empty page still has its header.
        columns = getattr(getattr(rows, "serializer", None), "table_columns", None)
        text = rows_to_csv(list(rows), release, columns=columns)
        if response is not None and view is not None and response.status_code == 200:
            from kbframework.api import downloads

            downloads.describe_csv_response(response, view, release)
            if getattr(view, "bom", False):
                text = downloads.BOM + text
        return text.encode("utf-8")
