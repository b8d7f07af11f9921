"""Numbering a page's citations."""

from dataclasses import dataclass, field

from kbframework.models import Citation


@dataclass
class CitationIndex:
    """Numbers citations in order of first appearance on a page.

    Templates call `mark(record)` through the {% cite %} tag while rendering;
    the reference list at the bottom of the page then lists every citation
    used, in number order. Works on prefetched citations: no queries.
    """

    numbers: dict[int, int] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)

    def mark(self, record) -> list[tuple[int, Citation]]:
        marks = []
        for citation in record.citations.all():
            if citation.pk not in self.numbers:
                self.citations.append(citation)
                self.numbers[citation.pk] = len(self.citations)
            marks.append((self.numbers[citation.pk], citation))
        return sorted(marks, key=lambda mark: mark[0])

    def references(self) -> list[tuple[int, Citation]]:
        return [(self.numbers[c.pk], c) for c in self.citations]
