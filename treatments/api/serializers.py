"""API representations of drug classes and drugs, and the treatment sections
of a disease."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diseases.api.serializers import DiseaseBriefSerializer
from kbframework.api.fields import ChoiceValueField, SlugLinkField
from kbframework.api.inherited import StatedForSerializer, stated_above
from kbframework.api.serializers import (
    BriefSerializer,
    CitationSerializer,
    IdentifierSerializer,
    PerRequestFieldsMixin,
)
from kbframework.inheritance import Above
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


class ClassResponseNoteSerializer(serializers.Serializer):
    """A treatment-response note stated for a drug class, with its disease."""

    slug = serializers.CharField()
    kind = serializers.CharField()
    disease = DiseaseBriefSerializer()
    summary = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)


class StatedForClassSerializer(StatedForSerializer):
    """A drug class above the drug or class served (a drug's own class
    first) and what the sources state for it: stated for the class as a
    whole, not for the drug or subclass in particular."""

    drug_class = DrugClassBriefSerializer(
        source="above.record", help_text="The class these facts are stated for."
    )
    indications = IndicationSerializer(
        source="above.record.indications", many=True, read_only=True
    )
    adverse_effects = AdverseEffectSerializer(
        source="above.record.adverse_effects", many=True, read_only=True
    )
    response_notes = ClassResponseNoteSerializer(
        source="above.record.response_notes", many=True, read_only=True
    )


STATED_FOR_CLASSES = (
    "What the sources state for each drug class above {subject}, nearest "
    "first{first}: the class, the path from {subject} up to it, and its "
    "indications, adverse effects and treatment-response notes. Stated for the "
    "class as a whole, never copied into {subject}'s own fields. A class the "
    "reader may not see is left out, and so is whatever lies above only "
    "through it."
)


def classes_above(drug_class, request, stated: bool = False) -> list[Above]:
    """The classes above a class with what is stated for them (`stated`:
    and the class's own), as the viewsets read them (DrugClassViewSet,
    DrugViewSet); read here for anyone else."""
    if not hasattr(drug_class, "above"):
        user = getattr(request, "user", None)
        DrugClass.objects.with_classes_above([drug_class], user, stated=stated)
    return drug_class.above


class DrugClassDetailSerializer(PerRequestFieldsMixin, DrugClassSerializer):
    children = DrugClassBriefSerializer(many=True, read_only=True)
    drugs = DrugBriefSerializer(many=True, read_only=True)
    indications = IndicationSerializer(many=True, read_only=True)
    adverse_effects = AdverseEffectSerializer(many=True, read_only=True)
    response_notes = ClassResponseNoteSerializer(many=True, read_only=True)
    stated_for_classes = serializers.SerializerMethodField(
        help_text=STATED_FOR_CLASSES.format(subject="the class", first="")
    )
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(DrugClassSerializer.Meta):
        fields = [
            *DrugClassSerializer.Meta.fields,
            "children",
            "drugs",
            "indications",
            "adverse_effects",
            "response_notes",
            "stated_for_classes",
            "citations",
        ]

    per_request_fields = ("stated_for_classes",)

    @extend_schema_field(StatedForClassSerializer(many=True))
    def get_stated_for_classes(self, obj):
        above = classes_above(obj, self.context.get("request"))
        return StatedForClassSerializer(
            stated_above(obj, above), many=True, context=self.context
        ).data


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


class DrugDetailSerializer(PerRequestFieldsMixin, DrugSerializer):
    indications = IndicationSerializer(many=True, read_only=True)
    stated_for_classes = serializers.SerializerMethodField(
        help_text=STATED_FOR_CLASSES.format(
            subject="the drug", first=" (its own class, then the classes above it)"
        )
    )
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(DrugSerializer.Meta):
        fields = [
            *DrugSerializer.Meta.fields,
            "indications",
            "stated_for_classes",
            "citations",
        ]

    per_request_fields = ("stated_for_classes",)

    @extend_schema_field(StatedForClassSerializer(many=True))
    def get_stated_for_classes(self, obj):
        klass = obj.drug_class
        above = classes_above(klass, self.context.get("request"), stated=True)
        # Its class, then the classes above, each by way of its class.
        classes = [Above(klass), *(Above(a.record, [klass, *a.path]) for a in above)]
        return StatedForClassSerializer(
            stated_above(obj, classes), many=True, context=self.context
        ).data


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
