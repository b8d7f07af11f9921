"""API representations of drug classes and drugs, and the treatment sections
of a disease."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diseases.api.serializers import DiseaseBriefSerializer
from kbframework.api.fields import SlugLinkField
from kbframework.api.serializers import BriefSerializer, CitationSerializer
from treatments.models import Drug, DrugClass


class DrugClassBriefSerializer(BriefSerializer):
    url = SlugLinkField("drugclass-detail")


class DrugBriefSerializer(BriefSerializer):
    url = SlugLinkField("drug-detail")


class DrugXrefSerializer(serializers.Serializer):
    # An identifier of a drug or of a drug class: one shape for both.

    system = serializers.CharField()
    identifier = serializers.CharField()
    label = serializers.CharField()
    preferred = serializers.BooleanField()
    note = serializers.CharField()


class DrugClassSerializer(serializers.ModelSerializer):
    url = SlugLinkField("drugclass-detail")
    parent = DrugClassBriefSerializer(allow_null=True, read_only=True)

    class Meta:
        model = DrugClass
        fields = [
            "url",
            "slug",
            "name",
            "abbreviations",
            "synonyms",
            "parent",
            "summary",
            "mechanism_of_action",
            "effect",
            "modality",
            "development",
            "status",
            "updated",
        ]


class IndicationSerializer(serializers.Serializer):
    disease = DiseaseBriefSerializer()
    purpose = serializers.CharField()
    note = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)


class AdverseEffectSerializer(serializers.Serializer):
    effect = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField()
    frequency = serializers.CharField()
    increased_risk = serializers.BooleanField()
    note = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)

    @extend_schema_field(BriefSerializer)
    def get_effect(self, obj):
        target = obj.symptom or obj.condition
        return {"slug": target.slug, "name": target.name}

    def get_kind(self, obj) -> str:
        return "symptom" if obj.symptom_id else "condition"


class DrugClassDetailSerializer(DrugClassSerializer):
    children = DrugClassBriefSerializer(many=True, read_only=True)
    drugs = DrugBriefSerializer(many=True, read_only=True)
    identifiers = DrugXrefSerializer(source="xrefs", many=True, read_only=True)
    indications = IndicationSerializer(many=True, read_only=True)
    adverse_effects = AdverseEffectSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(DrugClassSerializer.Meta):
        fields = [
            *DrugClassSerializer.Meta.fields,
            "children",
            "drugs",
            "identifiers",
            "indications",
            "adverse_effects",
            "citations",
        ]


class DrugSerializer(serializers.ModelSerializer):
    url = SlugLinkField("drug-detail")
    drug_class = DrugClassBriefSerializer(read_only=True)
    atc_code = serializers.SerializerMethodField()
    # What the computed field reads (kbframework.api.selection).
    field_reads = {"atc_code": ("xrefs",)}

    class Meta:
        model = Drug
        fields = [
            "url",
            "slug",
            "name",
            "synonyms",
            "drug_class",
            "atc_code",
            "summary",
            "status",
            "updated",
        ]

    def get_atc_code(self, obj) -> str | None:
        """The preferred ATC code (systemic use), from the prefetched xrefs."""
        for xref in obj.xrefs.all():
            if xref.system == "ATC" and xref.preferred:
                return xref.identifier
        return None


class DrugDetailSerializer(DrugSerializer):
    identifiers = DrugXrefSerializer(source="xrefs", many=True, read_only=True)
    indications = IndicationSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(DrugSerializer.Meta):
        fields = [
            *DrugSerializer.Meta.fields,
            "identifiers",
            "indications",
            "citations",
        ]


class DiseaseTreatmentSerializer(serializers.Serializer):
    """A drug class or drug used for the disease, with its status."""

    drug_class = DrugClassBriefSerializer(allow_null=True)
    drug = DrugBriefSerializer(allow_null=True)
    purpose = serializers.CharField()
    development = serializers.SerializerMethodField()
    note = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)

    def get_development(self, obj) -> str:
        klass = obj.drug_class or obj.drug.drug_class
        return klass.development


class ResponseNoteSerializer(serializers.Serializer):
    slug = serializers.CharField()
    kind = serializers.CharField()
    drug_class = DrugClassBriefSerializer(allow_null=True)
    summary = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)
