"""API representations of drug classes and drugs, and the treatment sections
of a disease."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diseases.api.serializers import DiseaseBriefSerializer
from kbframework.api.fields import ChoiceValueField, SlugLinkField
from kbframework.api.serializers import (
    BriefSerializer,
    CitationSerializer,
    IdentifierSerializer,
)
from treatments.models import AdverseEffect, Drug, DrugClass


class DrugClassBriefSerializer(BriefSerializer):
    url = SlugLinkField("drugclass-detail")


class DrugBriefSerializer(BriefSerializer):
    url = SlugLinkField("drug-detail")


class DrugClassSerializer(serializers.ModelSerializer):
    url = SlugLinkField("drugclass-detail")
    parent = DrugClassBriefSerializer(allow_null=True, read_only=True)
    effect = ChoiceValueField(
        DrugClass.Effect.choices,
        help_text="Its effect on the immune response; null: not stated.",
    )
    modality = ChoiceValueField(
        DrugClass.Modality.choices, help_text="What kind of drug; null: not stated."
    )
    identifiers = IdentifierSerializer(source="xrefs", many=True, read_only=True)

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
            "identifiers",
            "status",
            "updated",
        ]


class IndicationSerializer(serializers.Serializer):
    disease = DiseaseBriefSerializer()
    purpose = serializers.CharField()
    note = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)


class SymptomBriefSerializer(BriefSerializer):
    url = SlugLinkField("symptom-detail")


class AdverseEffectSerializer(serializers.Serializer):
    effect = serializers.SerializerMethodField(
        help_text="The symptom or the condition (a disease record; see kind)."
    )
    kind = serializers.SerializerMethodField()
    frequency = ChoiceValueField(
        AdverseEffect.Frequency.choices,
        help_text="How often, as the source words it; null: not stated.",
    )
    increased_risk = serializers.BooleanField()
    note = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)

    @extend_schema_field(BriefSerializer)
    def get_effect(self, obj):
        if obj.symptom is not None:
            return SymptomBriefSerializer(obj.symptom, context=self.context).data
        return DiseaseBriefSerializer(obj.condition, context=self.context).data

    def get_kind(self, obj) -> str:
        return "symptom" if obj.symptom_id else "condition"


class DrugClassDetailSerializer(DrugClassSerializer):
    children = DrugClassBriefSerializer(many=True, read_only=True)
    drugs = DrugBriefSerializer(many=True, read_only=True)
    indications = IndicationSerializer(many=True, read_only=True)
    adverse_effects = AdverseEffectSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(DrugClassSerializer.Meta):
        fields = [
            *DrugClassSerializer.Meta.fields,
            "children",
            "drugs",
            "indications",
            "adverse_effects",
            "citations",
        ]


class DrugSerializer(serializers.ModelSerializer):
    """A drug in a list, with its identifiers (ATC codes for each use, the
    preferred one marked)."""

    url = SlugLinkField("drug-detail")
    drug_class = DrugClassBriefSerializer(read_only=True)
    identifiers = IdentifierSerializer(source="xrefs", many=True, read_only=True)

    class Meta:
        model = Drug
        fields = [
            "url",
            "slug",
            "name",
            "synonyms",
            "drug_class",
            "identifiers",
            "summary",
            "status",
            "updated",
        ]


class DrugDetailSerializer(DrugSerializer):
    indications = IndicationSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(DrugSerializer.Meta):
        fields = [
            *DrugSerializer.Meta.fields,
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
    """A treatment-response note of the disease (its record in
    /api/v1/response-notes/, without the disease)."""

    url = SlugLinkField("responsenote-detail")
    slug = serializers.CharField()
    kind = serializers.CharField()
    drug_class = DrugClassBriefSerializer(allow_null=True)
    summary = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)
