"""Template tags for knowledge-base pages."""

from django import template
from django.utils.html import format_html, format_html_join

from kbframework.identifiers import identifier_url

register = template.Library()


@register.simple_tag(takes_context=True)
def cite(context, record):
    """Citation markers for a record: superscript numbers linking to the
    page's reference list, each titled with its source and section."""
    refs = context.get("refs")
    if refs is None:
        return ""
    marks = refs.mark(record)
    if not marks:
        return ""
    links = format_html_join(
        ", ",
        '<a href="#ref-{}" title="{}, {}">{}</a>',
        ((n, c.source.title, c.section, n) for n, c in marks),
    )
    return format_html('<sup class="cite">[{}]</sup>', links)


@register.filter
def xref_url(xref) -> str:
    return identifier_url(xref.system, xref.identifier)


# Code systems whose codes clinicians write without a prefix (M06.9, L04AX03);
# ontology terms keep theirs (MONDO:0005109, HP:0001369).
BARE_CODE_SYSTEMS = {"ICD10", "ICD10CM", "MESH", "ATC", "UMLS"}


@register.filter
def xref_code(xref) -> str:
    """An identifier as a reader writes it: "M06.9" for ICD-10, "entity
    576319925" for an ICD-11 foundation id (not an MMS code), the CURIE for
    an ontology term."""
    code = xref.identifier.partition(":")[2]
    if xref.system == "ICD11":
        return f"entity {code}"
    if xref.system in BARE_CODE_SYSTEMS and code:
        return code
    return xref.identifier


@register.filter
def record_url(record) -> str:
    """The page of a record, or of the record a link row belongs to."""
    if hasattr(record, "get_absolute_url"):
        return record.get_absolute_url()
    for end in ("disease", "subject", "parent", "drug_class", "drug"):
        target = getattr(record, end, None)
        if target is not None and hasattr(target, "get_absolute_url"):
            return target.get_absolute_url()
    return ""


@register.filter
def model_label(record) -> str:
    return str(record._meta.verbose_name)
