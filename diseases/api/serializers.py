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
from kbframework.api.inherited import StatedForSerializer, stated_above
from kbframework.api.links import end_serializer, link_row_serializer
from kbframework.api.serializers import (
    BriefSerializer,
    CitationSerializer,
    IdentifierSerializer,
    PerRequestFieldsMixin,
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
    # What the computed fields read: `fields` leaves out the prefetches of
    # the fields it does not name (kbframework.api.selection).
    field_reads = {
        "parents": ("parent_links",),
        "body_systems": ("body_system_links",),
    }

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


class StatedForGroupSerializer(StatedForSerializer):
    """A group above the disease (one of its groups, one of theirs, and so
    on) and what the sources state for that group: its symptoms, mechanisms,
    relations, treatments, response notes and figures, stated for the group
    as a whole, not for the disease in particular."""

    # The sections other apps register for a disease with `inherited`
    # (treatments, response notes, figures) follow, in their registered
    # positions: see get_fields().

    group = DiseaseBriefSerializer(
        source="above.record", help_text="The group these facts are stated for."
    )
    symptoms = SymptomLinkSerializer(
        source="above.record.symptom_links", many=True, read_only=True
    )
    mechanisms = MechanismLinkSerializer(
        source="above.record.mechanism_links", many=True, read_only=True
    )
    relations = serializers.SerializerMethodField(
        help_text="The group's relations; `direction` is seen from the group."
    )

    def get_fields(self):
        fields = super().get_fields()
        for section in registry.sections(Disease):
            if section.inherited and section.serializer_field is not None:
                field = section.serializer_field()
                # The section's field reads the disease's attribute: here the
                # group's (a field built anew, bound below).
                field.source = f"above.record.{field.source or section.name}"
                fields[section.name] = field
        return fields

    @extend_schema_field(RelationSerializer(many=True))
    def get_relations(self, item):
        group = item.above.record
        links = [*group.relations_out.all(), *group.relations_in.all()]
        context = {**self.context, "disease_id": group.pk}
        return RelationSerializer(links, many=True, context=context).data


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


class DiseaseDetailSerializer(PerRequestFieldsMixin, DiseaseSerializer):
    """Everything about one disease, in one call."""

    # Its own fields, then the sections other apps register for a disease
    # (registry.sections(Disease): treatments, response notes, figures), in
    # their registered positions: see get_fields().

    members = serializers.SerializerMethodField()
    symptoms = SymptomLinkSerializer(source="symptom_links", many=True, read_only=True)
    group_symptoms = serializers.SerializerMethodField(
        help_text="Deprecated: use stated_for_groups, which has every level "
        "above. The symptoms stated for the groups the disease is directly "
        "in (one level up), each naming the group in `stated_for`."
    )
    stated_for_groups = serializers.SerializerMethodField(
        help_text="What the sources state for each group above the disease, "
        "at every level (its groups, theirs, and so on), nearest first: the "
        "group, the path from the disease up to it, and its symptoms, "
        "mechanisms, relations, treatments, response notes and figures. "
        "Stated for the group as a whole, never copied into the disease's own "
        "fields. A group the reader may not see is left out, and so is "
        "whatever lies above the disease only through it."
    )
    mechanisms = MechanismLinkSerializer(
        source="mechanism_links", many=True, read_only=True
    )
    relations = serializers.SerializerMethodField()
    related = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)
    # Derived from the rest of the release (the groups' own records carry
    # what is stated for them): computed per request only.
    per_request_fields = ("related", "stated_for_groups")
    field_reads = {
        "members": ("member_links",),
        "group_symptoms": ("parent_links__parent__symptom_links",),
        "relations": ("relations_out", "relations_in"),
        "related": (),  # its own queries (Disease.objects.related_to)
    }

    class Meta(DiseaseSerializer.Meta):
        fields = [
            *DiseaseSerializer.Meta.fields,
            "course_notes",
            "diagnosis_notes",
            "members",
            "symptoms",
            "group_symptoms",
            "stated_for_groups",
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
        return fields

    @extend_schema_field(DiseaseBriefSerializer(many=True))
    def get_members(self, obj):
        members = [link.member for link in obj.member_links.all()]
        return DiseaseBriefSerializer(members, many=True, context=self.context).data

    @extend_schema_field(GroupSymptomSerializer(many=True))
    def get_group_symptoms(self, obj):
        memberships = obj.parent_links.all()
        if hasattr(obj, "above"):
            # The API's detail: the groups above carry their symptoms.
            groups = {item.record.pk: item.record for item in obj.above}
            parents = [
                groups[m.parent_id] for m in memberships if m.parent_id in groups
            ]
        else:
            # A release: its parents do (for_detail()).
            parents = [membership.parent for membership in memberships]
        links = [link for parent in parents for link in parent.symptom_links.all()]
        return GroupSymptomSerializer(links, many=True, context=self.context).data

    @extend_schema_field(StatedForGroupSerializer(many=True))
    def get_stated_for_groups(self, obj):
        if not hasattr(obj, "above"):
            # Read by the viewset with the disease's own links
            # (DiseaseViewSet.get_object); read here for anyone else.
            request = self.context.get("request")
            user = getattr(request, "user", None)
            Disease.objects.with_groups_above([obj], user)
        return StatedForGroupSerializer(
            stated_above(obj, obj.above), many=True, context=self.context
        ).data

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
