"""API representations of diseases, symptoms and mechanisms."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diseases.models import (
    Disease,
    DiseaseBodySystem,
    DiseaseMechanism,
    DiseaseSymptom,
    Mechanism,
    Symptom,
)
from kbframework.api.fields import SlugLinkField, StatedTextField
from kbframework.api.links import end_serializer, link_row_serializer
from kbframework.api.serializers import (
    BriefSerializer,
    CitationSerializer,
    IdentifierSerializer,
)
from kbframework.registry import registry


class DiseaseBriefSerializer(BriefSerializer):
    url = SlugLinkField("disease-detail")


class BodySystemBriefSerializer(BriefSerializer):
    url = SlugLinkField("bodysystem-detail")


class DiseaseSerializer(serializers.ModelSerializer):
    """A disease in a list: identity, names, kind, summary, groups, body
    systems, identifiers."""

    url = SlugLinkField("disease-detail")
    parents = serializers.SerializerMethodField()
    body_systems = serializers.SerializerMethodField()
    identifiers = IdentifierSerializer(source="xrefs", many=True, read_only=True)

    class Meta:
        model = Disease
        fields = [
            "url",
            "slug",
            "name",
            "kind",
            "abbreviations",
            "synonyms",
            "former_names",
            "summary",
            "parents",
            "body_systems",
            "identifiers",
            "status",
            "reviewed_on",
            "updated",
        ]

    @extend_schema_field(DiseaseBriefSerializer(many=True))
    def get_parents(self, obj):
        parents = [link.parent for link in obj.parent_links.all()]
        return DiseaseBriefSerializer(parents, many=True, context=self.context).data

    @extend_schema_field(BodySystemBriefSerializer(many=True))
    def get_body_systems(self, obj):
        systems = [link.body_system for link in obj.body_system_links.all()]
        return BodySystemBriefSerializer(systems, many=True, context=self.context).data


# A record's own links are the rows of their link resource without the end
# that is the record: a disease's symptoms are {symptom, note, frequency,
# citations}, as /api/v1/disease-symptoms/ has them beside `disease`.
SymptomLinkSerializer = link_row_serializer(DiseaseSymptom, "disease")
MechanismLinkSerializer = link_row_serializer(DiseaseMechanism, "disease")


class GroupSymptomSerializer(SymptomLinkSerializer):
    """A symptom stated for a group the disease belongs to, not for the disease."""

    stated_for = DiseaseBriefSerializer(
        source="disease", help_text="The group the symptom is stated for."
    )

    class Meta(SymptomLinkSerializer.Meta):
        fields = [*SymptomLinkSerializer.Meta.fields, "stated_for"]
        read_only_fields = fields


class RelationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    disease = serializers.SerializerMethodField()
    direction = serializers.SerializerMethodField()
    note = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)

    @extend_schema_field(DiseaseBriefSerializer)
    def get_disease(self, link):
        other = link.target if self.get_direction(link) == "outgoing" else link.subject
        return DiseaseBriefSerializer(other, context=self.context).data

    def get_direction(self, link) -> str:
        return (
            "outgoing" if link.subject_id == self.context["disease_id"] else "incoming"
        )


class RelatedDiseaseSerializer(serializers.Serializer):
    """Another disease, with what it shares with this one."""

    # One list of slugs per shared end (registry.shared_ends(Disease)).

    disease = DiseaseBriefSerializer()
    score = serializers.IntegerField(help_text="Number of shared items.")
    weight = serializers.FloatField(
        help_text="The shared items, each weighted by how specific it is "
        "(the log of the number of diseases over the number stating it)."
    )
    family = StatedTextField(
        help_text="How the two are of one family (a member; another member "
        "of one of its groups); null when they are not. Family comes first."
    )
    reason = serializers.CharField(help_text="Why it is related, in words.")

    def get_fields(self):
        fields = super().get_fields()
        for shared in registry.shared_ends(Disease):
            end = shared.links().model._meta.get_field(shared.end).related_model
            fields[shared.key] = end_serializer(end)(
                many=True,
                read_only=True,
                help_text=f"The {end._meta.verbose_name_plural} both share.",
            )
        return fields


class DiseaseDetailSerializer(DiseaseSerializer):
    """Everything about one disease, in one call."""

    # Its own fields, then the sections other apps register for a disease
    # (registry.sections(Disease): treatments, response notes, figures), in
    # their registered positions: see get_fields().

    members = serializers.SerializerMethodField()
    symptoms = SymptomLinkSerializer(source="symptom_links", many=True, read_only=True)
    group_symptoms = serializers.SerializerMethodField()
    mechanisms = MechanismLinkSerializer(
        source="mechanism_links", many=True, read_only=True
    )
    relations = serializers.SerializerMethodField()
    related = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(DiseaseSerializer.Meta):
        fields = [
            *DiseaseSerializer.Meta.fields,
            "course_notes",
            "diagnosis_notes",
            "members",
            "symptoms",
            "group_symptoms",
            "mechanisms",
            "relations",
            "related",
            "citations",
        ]

    def get_fields(self):
        fields = super().get_fields()
        for section in registry.sections(Disease):
            if section.serializer_field is not None:
                fields[section.name] = section.serializer_field()
        if self.context.get("for_release"):
            # Derived from the rest of the release; computed per request only.
            fields.pop("related")
        return fields

    @extend_schema_field(DiseaseBriefSerializer(many=True))
    def get_members(self, obj):
        members = [link.member for link in obj.member_links.all()]
        return DiseaseBriefSerializer(members, many=True, context=self.context).data

    @extend_schema_field(GroupSymptomSerializer(many=True))
    def get_group_symptoms(self, obj):
        links = [
            link
            for membership in obj.parent_links.all()
            for link in membership.parent.symptom_links.all()
        ]
        return GroupSymptomSerializer(links, many=True, context=self.context).data

    @extend_schema_field(RelationSerializer(many=True))
    def get_relations(self, obj):
        links = [*obj.relations_out.all(), *obj.relations_in.all()]
        context = {**self.context, "disease_id": obj.pk}
        return RelationSerializer(links, many=True, context=context).data

    @extend_schema_field(RelatedDiseaseSerializer(many=True))
    def get_related(self, obj):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        related = Disease.objects.related_to(obj, user)
        return RelatedDiseaseSerializer(related, many=True, context=self.context).data


class SymptomSerializer(serializers.ModelSerializer):
    """A symptom in a list; its HPO term is its identifier."""

    url = SlugLinkField("symptom-detail")
    identifiers = IdentifierSerializer(many=True, read_only=True)

    class Meta:
        model = Symptom
        fields = [
            "url",
            "slug",
            "name",
            "synonyms",
            "description",
            "identifiers",
            "status",
            "updated",
        ]


class SymptomDetailSerializer(SymptomSerializer):
    diseases = link_row_serializer(DiseaseSymptom, "symptom")(
        source="disease_links", many=True, read_only=True
    )
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(SymptomSerializer.Meta):
        fields = [*SymptomSerializer.Meta.fields, "diseases", "citations"]


class MechanismSerializer(serializers.ModelSerializer):
    url = SlugLinkField("mechanism-detail")

    class Meta:
        model = Mechanism
        fields = [
            "url",
            "slug",
            "name",
            "kind",
            "synonyms",
            "summary",
            "status",
            "updated",
        ]


class MechanismDetailSerializer(MechanismSerializer):
    diseases = link_row_serializer(DiseaseMechanism, "mechanism")(
        source="disease_links", many=True, read_only=True
    )
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(MechanismSerializer.Meta):
        fields = [*MechanismSerializer.Meta.fields, "diseases", "citations"]


class BodySystemSerializer(serializers.Serializer):
    url = SlugLinkField("bodysystem-detail")
    slug = serializers.CharField()
    name = serializers.CharField()


class BodySystemDetailSerializer(BodySystemSerializer):
    diseases = link_row_serializer(DiseaseBodySystem, "body_system")(
        source="disease_links", many=True, read_only=True
    )
