"""Helpers shared by the HTML views: citation numbering, identifier links."""

from dataclasses import dataclass, field

from imidkb.models import Citation, IdentifierSystem

# Where each identifier system's records can be looked up. Systems without a
# public page per identifier (UMLS needs a licence; ICD-10-CM has no official
# browser) are shown without a link.
IDENTIFIER_URLS = {
    IdentifierSystem.MONDO: "https://monarchinitiative.org/{id}",
    IdentifierSystem.DOID: "https://disease-ontology.org/?id={id}",
    IdentifierSystem.ICD10: "https://icd.who.int/browse10/2019/en#/{code}",
    IdentifierSystem.ICD11: "https://icd.who.int/browse/2024-01/foundation/en#{code}",
    IdentifierSystem.MESH: "https://meshb.nlm.nih.gov/record/ui?ui={code}",
    IdentifierSystem.ORPHA: "https://www.orpha.net/en/disease/detail/{code}",
    IdentifierSystem.HP: "https://hpo.jax.org/browse/term/{id}",
    IdentifierSystem.ATC: "https://atcddd.fhi.no/atc_ddd_index/?code={code}",
    IdentifierSystem.CHEBI: "https://www.ebi.ac.uk/chebi/searchId.do?chebiId={id}",
}


def identifier_url(system: str, identifier: str) -> str:
    template = IDENTIFIER_URLS.get(system)
    if not template:
        return ""
    return template.format(id=identifier, code=identifier.split(":", 1)[-1])


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
