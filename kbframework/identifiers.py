"""Identifiers in external ontologies and code systems: which systems, how
each identifier is written, and where a reader can look one up."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentifierSystem(models.TextChoices):
    """Ontologies and code systems whose identifiers the knowledge base carries."""

    MONDO = "MONDO", "MONDO"
    DOID = "DOID", _("Disease Ontology")
    ICD10 = "ICD10", _("ICD-10 (WHO)")
    ICD10CM = "ICD10CM", "ICD-10-CM"
    ICD11 = "ICD11", _("ICD-11 foundation")
    MESH = "MESH", "MeSH"
    ORPHA = "ORPHA", "Orphanet"
    UMLS = "UMLS", "UMLS"
    HP = "HP", _("Human Phenotype Ontology")
    ATC = "ATC", _("WHO ATC")
    CHEBI = "CHEBI", "ChEBI"


IDENTIFIER_PATTERNS = {
    IdentifierSystem.MONDO: r"MONDO:\d{7}",
    IdentifierSystem.DOID: r"DOID:\d+",
    IdentifierSystem.ICD10: r"ICD10:[A-Z]\d{2}(\.\d{1,2})?",
    IdentifierSystem.ICD10CM: r"ICD10CM:[A-Z]\d{2}(\.\d{1,4})?",
    IdentifierSystem.ICD11: r"icd11\.foundation:\d+",
    IdentifierSystem.MESH: r"MESH:D\d{6}",
    IdentifierSystem.ORPHA: r"ORPHA:\d+",
    IdentifierSystem.UMLS: r"UMLS:C\d{7}",
    IdentifierSystem.HP: r"HP:\d{7}",
    IdentifierSystem.ATC: r"ATC:[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?",
    IdentifierSystem.CHEBI: r"CHEBI:\d+",
}


def validate_identifier(system: str, identifier: str) -> None:
    """Raise ValidationError unless identifier is well formed for its system."""
    pattern = IDENTIFIER_PATTERNS.get(system)
    if pattern is None or not re.fullmatch(pattern, identifier or ""):
        raise ValidationError(
            {
                "identifier": _(
                    "“%(identifier)s” is not a valid %(system)s identifier."
                )
                % {"identifier": identifier, "system": system}
            }
        )


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
    return template.format(id=identifier, code=identifier_code(identifier))


def identifier_code(identifier: str) -> str:
    """The code of a CURIE within its system: "M06.9" of "ICD10:M06.9"."""
    return identifier.split(":", 1)[-1]


@dataclass(frozen=True)
class Identifier:
    """An identifier a record keeps in a field of its own rather than in
    identifier rows (a symptom's HPO term): read as an identifier row is,
    so that the API shows both the same way."""

    system: str
    identifier: str
    label: str = ""
    exact: bool = True
    note: str = ""
    # Whether curators chose it among the record's codes of its system;
    # None: no such choice is curated for this kind of record.
    preferred: bool | None = None
