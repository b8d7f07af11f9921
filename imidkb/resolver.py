"""The identifier resolver (/id/<CURIE>) and the clinical systems' lookup
(/infobutton/, HL7 Infobutton URL-based parameters, as MedlinePlus Connect).

An identifier the knowledge base holds as an exact match of one record
answers 303 to the record: its page, or its API resource when JSON is asked
for (Accept). Several records: 300 with the list. A code held only as a loose
match (an Orphanet or ICD-10 code close to, not the same as, a disease), or
not held at all: 404 saying what is known. A value that is no identifier in
a system the knowledge base holds: 400.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from imidkb.releases import current_citation
from kbframework.api.renderers import SafeJSONRenderer
from kbframework.registry import registry
from kbframework.search import PREFIXES, prefixed_curie
from kbframework.visibility import Visibility

KB_PREFIX = "IMIDKB"
# The code systems a clinical system may name by OID, each verified in the
# code system's HL7 registration: ICD-10-CM as MedlinePlus Connect takes it,
# ICD-10 (WHO) as HL7 Terminology's NamingSystem icd10 lists it.
INFOBUTTON_SYSTEMS = {
    "2.16.840.1.113883.6.90": "ICD10CM",
    "2.16.840.1.113883.6.3": "ICD10",
}
RESPONSE_TYPES = ("application/json", "text/xml")


@dataclass(frozen=True)
class Match:
    """A record carrying the identifier."""

    record: object
    resource: object
    curie: str
    exact: bool

    @property
    def page(self) -> str:
        return self.record.get_absolute_url()

    @property
    def api(self) -> str:
        return f"/api/v1/{self.resource.api_prefix}/{self.record.slug}/"

    def as_dict(self, request) -> dict:
        return {
            "curie": self.curie,
            "match": "exact" if self.exact else "loose",
            "record": {
                "slug": self.record.slug,
                "name": self.record.name,
                "kind": self.resource.api_prefix,
                "url": request.build_absolute_uri(self.api),
                "page": request.build_absolute_uri(self.page),
            },
        }


def matches(curie: str, visibility: Visibility) -> list[Match]:
    """Every record the reader may see that carries this CURIE, exact first."""
    found = []
    for resource in registry.searchable():
        if resource.search_identifiers is None or not resource.api_prefix:
            continue
        rows = list(resource.search_identifiers({curie}, visibility))
        if not rows:
            continue
        records = visibility.records(resource.model.objects.all()).in_bulk(
            [record_id for record_id, _curie, _exact in rows]
        )
        found += [
            Match(records[record_id], resource, identifier, bool(exact))
            for record_id, identifier, exact in rows
            if record_id in records
        ]
    return sorted(
        found, key=lambda m: (not m.exact, m.resource.api_prefix, m.record.slug)
    )


def own_record(local: str, visibility: Visibility) -> Match | None:
    """IMIDKB:<api prefix>/<slug>: the knowledge base's own identifier of a
    record (the exports use it)."""
    prefix, _sep, slug = local.partition("/")
    for resource in registry.api_resources():
        if resource.api_prefix == prefix and hasattr(resource.model, "slug"):
            record = (
                visibility.records(resource.model.objects.all())
                .filter(slug=slug)
                .first()
            )
            if record is not None and hasattr(record, "get_absolute_url"):
                return Match(record, resource, f"{KB_PREFIX}:{local}", True)
    return None


def wants_json(request) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == (
        "application/json"
    )


def json_response(data: dict, status: int = 200) -> HttpResponse:
    """JSON with <, > and & escaped, as the API's (an identifier echoed back
    never reads as markup)."""
    body = SafeJSONRenderer().render(data, renderer_context={"indent": 2})
    return HttpResponse(body, status=status, content_type="application/json")


def answer(request, status: int, data: dict, template: str = "kb/identifier.html"):
    if wants_json(request):
        response = json_response(data, status)
    else:
        response = render(request, template, {"answer": data}, status=status)
    patch_vary_headers(response, ["Accept"])
    return response


def normalised(value: str) -> str:
    """The identifier as pasted: a PURL whose // a proxy collapsed to /."""
    return re.sub(r"^(https?):/+", r"\1://", value.strip())


@require_safe
def resolve(request, identifier: str):
    visibility = Visibility.of(request.user)
    value = normalised(identifier)
    own = re.fullmatch(rf"{KB_PREFIX}:([a-z0-9-]+/[a-z0-9-]+)", value, re.IGNORECASE)
    if own:
        match = own_record(own.group(1).lower(), visibility)
        found = [match] if match else []
        curie = f"{KB_PREFIX}:{own.group(1).lower()}"
    else:
        curie = prefixed_curie(value)
        if curie is None:
            return answer(
                request,
                400,
                {
                    "status": 400,
                    "error": "invalid",
                    "identifier": value,
                    "detail": "Not an identifier of a system the knowledge base "
                    "holds. Give it with its prefix: MONDO:0005109, MONDO_0005109, "
                    "an OBO PURL or lower case; the prefixes taken are "
                    + ", ".join(sorted(set(PREFIXES.values()) | {KB_PREFIX}))
                    + ".",
                },
            )
        found = matches(curie, visibility)
    exact = [m for m in found if m.exact]
    if len(exact) == 1:
        target = exact[0].api if wants_json(request) else exact[0].page
        response = HttpResponse(status=303)
        response["Location"] = request.build_absolute_uri(target)
        patch_vary_headers(response, ["Accept"])
        return response
    listed = [m.as_dict(request) for m in found]
    if exact:
        return answer(
            request,
            300,
            {
                "status": 300,
                "identifier": curie,
                "detail": f"{len(exact)} records carry {curie} as an exact match.",
                "matches": listed,
            },
        )
    detail = (
        f"No record carries {curie} as an exact match. Loose matches (close to, "
        "not the same as, the record) are listed."
        if found
        else f"The knowledge base holds no record with {curie}."
    )
    return answer(
        request,
        404,
        {
            "status": 404,
            "error": "not_found",
            "identifier": curie,
            "detail": detail,
            "matches": listed,
        },
    )


def infobutton_error(request, status: int, detail: str, response_type: str | None):
    data = {"status": status, "error": "invalid" if status == 400 else "not_found"}
    data |= {"detail": detail, "supported_code_systems": supported_systems()}
    if response_type == "text/xml":
        root = ET.Element("error", status=str(status))
        ET.SubElement(root, "detail").text = detail
        systems = ET.SubElement(root, "supportedCodeSystems")
        for entry in supported_systems():
            ET.SubElement(systems, "codeSystem", oid=entry["oid"], name=entry["name"])
        return xml_response(root, status)
    return json_response(data, status)


def supported_systems() -> list[dict]:
    return [{"oid": oid, "name": name} for oid, name in INFOBUTTON_SYSTEMS.items()]


def xml_response(root, status: int = 200) -> HttpResponse:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


@require_safe
def infobutton(request):
    """HL7 Infobutton knowledge request (URL-based): the disease a clinical
    system's diagnosis code names, its summary, page and citation."""
    params = request.GET
    response_type = params.get("knowledgeResponseType")
    if response_type is not None and response_type not in RESPONSE_TYPES:
        return infobutton_error(
            request,
            400,
            "knowledgeResponseType is application/json or text/xml (or absent: "
            "a redirect to the disease's page).",
            None,
        )
    system = params.get("mainSearchCriteria.v.cs", "").strip()
    code = params.get("mainSearchCriteria.v.c", "").strip()
    if system not in INFOBUTTON_SYSTEMS:
        return infobutton_error(
            request,
            400,
            "mainSearchCriteria.v.cs must be the OID of a code system the "
            "knowledge base holds: "
            + ", ".join(f"{oid} ({name})" for oid, name in INFOBUTTON_SYSTEMS.items())
            + ".",
            response_type,
        )
    prefix = INFOBUTTON_SYSTEMS[system]
    curie = prefixed_curie(f"{prefix}:{code}") if code else None
    if curie is None:
        return infobutton_error(
            request,
            400,
            f"mainSearchCriteria.v.c must be a {prefix} code (M06.9).",
            response_type,
        )
    visibility = Visibility.of(request.user)
    found = [
        m
        for m in matches(curie, visibility)
        if m.exact and m.resource.api_prefix == "diseases"
    ]
    if not found:
        return infobutton_error(
            request,
            404,
            f"The knowledge base holds no disease with {curie} as an exact match "
            "(codes held only as loose matches are not answered).",
            response_type,
        )
    if response_type is None:
        response = HttpResponse(status=303)
        response["Location"] = request.build_absolute_uri(found[0].page)
        return response
    citation = current_citation()
    entries = [
        {
            "title": m.record.name,
            "code": {"system": system, "code": code.upper(), "curie": m.curie},
            "summary": m.record.summary,
            "link": request.build_absolute_uri(m.page),
            "api": request.build_absolute_uri(m.api),
            "sources": [
                {"source": c.source.title, "section": c.section}
                for c in m.record.citations.select_related("source")
            ],
        }
        for m in found
    ]
    feed = {
        "title": f"IMID-KB: {curie}",
        "licence": citation["licence"],
        "how_to_cite": citation["how_to_cite"],
        "entries": entries,
    }
    if response_type == "application/json":
        return json_response({"feed": feed})
    return xml_response(atom_feed(feed))


ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(feed: dict):
    """The answer as an Atom feed, the Infobutton SOA guide's response form."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}title").text = feed["title"]
    ET.SubElement(root, f"{{{ATOM}}}rights").text = feed["how_to_cite"]
    for entry in feed["entries"]:
        node = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}title").text = entry["title"]
        ET.SubElement(node, f"{{{ATOM}}}link", href=entry["link"], rel="alternate")
        ET.SubElement(node, f"{{{ATOM}}}id").text = entry["api"]
        ET.SubElement(node, f"{{{ATOM}}}summary").text = entry["summary"]
        cited = "; ".join(f"{s['source']} ({s['section']})" for s in entry["sources"])
        ET.SubElement(node, f"{{{ATOM}}}content", type="text").text = (
            f"Sources: {cited}." if cited else ""
        )
    return root
