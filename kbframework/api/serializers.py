"""Serializers every resource shares: linked records, citations, identifiers,
errors.

Two shapes hold across the API:

- a reference to another record is a link, {slug, name, url} (BriefSerializer),
  wherever it occurs: a figure's disease, a citation's source, an indication's
  drug class;
- an identifier in an external system is {curie, system, code, label, match,
  preferred, lookup_url, note} (IdentifierSerializer), whether the record
  keeps it in identifier rows (diseases, drugs, drug classes) or in a field of
  its own (a symptom's HPO term).

`url` is always the API URL of a record of this API; where an identifier can
be looked up in its own system is `lookup_url`, a page outside the API.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kbframework.api.fields import SlugLinkField, StatedTextField
from kbframework.identifiers import IdentifierSystem, identifier_code, identifier_url


class BriefSerializer(serializers.Serializer):
    """A linked record: slug, name and API URL."""

    # (Subclasses add the `url` field of their kind of record.)

    slug = serializers.CharField()
    name = serializers.CharField()


class SourceBriefSerializer(BriefSerializer):
    """A linked source: slug, name (its title) and API URL."""

    name = serializers.CharField(source="title")
    url = SlugLinkField("source-detail")


class CitationSerializer(serializers.Serializer):
    """Where a statement comes from: a source (a link) and its section."""

    source = SourceBriefSerializer()
    section = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    error = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400: each offending parameter and what is wrong with it.",
    )


MATCHES = [
    ("exact", "the identifier names the same thing as the record"),
    ("loose", "a looser cross-reference: broader, unspecified or related"),
]


@extend_schema_field({"type": "string", "enum": [value for value, _ in MATCHES]})
class MatchField(serializers.Field):
    """`match` of an identifier, from its `exact` flag."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "exact")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return "exact" if value else "loose"


@extend_schema_field({"type": "boolean", "nullable": True})
class PreferredField(serializers.Field):
    """`preferred` of an identifier: None where the record's kind has no
    preferred code to choose (its identifier rows have no such flag)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return getattr(value, "preferred", None)


class IdentifierSerializer(serializers.Serializer):
    """An identifier of a record in an external ontology or code system."""

    curie = serializers.CharField(
        source="identifier",
        read_only=True,
        help_text="The identifier as a CURIE, PREFIX:CODE: MONDO:0008383, "
        "ICD10:M32, HP:0012378, ATC:L04AB. Look a record up by it at /id/<CURIE>.",
    )
    system = serializers.ChoiceField(
        choices=IdentifierSystem.choices,
        read_only=True,
        help_text="The ontology or code system.",
    )
    code = serializers.SerializerMethodField(
        help_text="The code within its system: the CURIE without its prefix."
    )
    label = StatedTextField(
        help_text="The term's label in its system; null when not recorded."
    )
    match = MatchField(
        help_text="exact: the identifier names the same thing as the record; "
        "loose: a looser cross-reference (a broader code, an 'unspecified' "
        "code, an Orphanet 'non rare' group), the note says how."
    )
    preferred = PreferredField(
        help_text="Whether curators chose it as the record's code to show "
        "first in its system (at most one per system; a drug's systemic L04 "
        "ATC code). null where no such choice is curated: identifiers of "
        "diseases and symptoms."
    )
    lookup_url = serializers.SerializerMethodField(
        help_text="Where a reader can look the identifier up in its system (a "
        "page outside this API); null for systems without a public page per "
        "identifier (UMLS, ICD-10-CM)."
    )
    note = serializers.CharField(
        read_only=True,
        help_text="What a reader should know of the mapping (why it is loose); "
        "empty when there is nothing to add.",
    )

    def get_code(self, obj) -> str:
        return identifier_code(obj.identifier)

    def get_lookup_url(self, obj) -> str | None:
        return identifier_url(obj.system, obj.identifier) or None


class PerRequestFieldsMixin:
    """Fields computed per request from other records (related diseases,
    what is stated above): release files leave them out, since each fact is
    on the record it is stated for there."""

    per_request_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("for_release"):
            for name in self.per_request_fields:
                fields.pop(name, None)
        return fields
