from django.contrib import admin

from diseases.models import (
    BodySystem,
    Disease,
    DiseaseBodySystem,
    DiseaseMechanism,
    DiseaseMembership,
    DiseaseRelation,
    DiseaseSymptom,
    DiseaseXref,
    Mechanism,
    Symptom,
)
from kbframework.admin import (
    CitationPresenceFilter,
    CitedInline,
    CuratedAdmin,
    GuardedAdmin,
    LinkAdmin,
    XrefAdmin,
)
from kbframework.registry import registry


class IdentifierPresenceFilter(admin.SimpleListFilter):
    title = "identifier"
    parameter_name = "identified"

    def lookups(self, request, model_admin):
        return [("yes", "Has an identifier"), ("no", "Missing an identifier")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(xrefs__isnull=True)
        if self.value() == "yes":
            return queryset.filter(xrefs__isnull=False).distinct()
        return queryset


class ParentInline(CitedInline):
    model = DiseaseMembership
    fk_name = "member"
    autocomplete_fields = ["parent", "citations"]
    verbose_name = "parent group"
    verbose_name_plural = "parent groups"


class MemberInline(CitedInline):
    model = DiseaseMembership
    fk_name = "parent"
    autocomplete_fields = ["member", "citations"]
    verbose_name = "member"
    verbose_name_plural = "members"


class BodySystemInline(CitedInline):
    model = DiseaseBodySystem
    autocomplete_fields = ["body_system", "citations"]


class SymptomInline(CitedInline):
    model = DiseaseSymptom
    autocomplete_fields = ["symptom", "citations"]


class MechanismInline(CitedInline):
    model = DiseaseMechanism
    autocomplete_fields = ["mechanism", "citations"]


class RelationInline(CitedInline):
    model = DiseaseRelation
    fk_name = "subject"
    autocomplete_fields = ["target", "citations"]


class XrefInline(CitedInline):
    model = DiseaseXref


@admin.register(Disease)
class DiseaseAdmin(CuratedAdmin):
    list_display = ["name", "kind", "status", "reviewed_on", "updated"]
    list_filter = [
        "status",
        "kind",
        "body_systems",
        CitationPresenceFilter,
        IdentifierPresenceFilter,
    ]
    search_fields = ["name", "slug", "synonyms", "abbreviations", "former_names"]
    inlines = [
        ParentInline,
        MemberInline,
        BodySystemInline,
        SymptomInline,
        MechanismInline,
        RelationInline,
        XrefInline,
    ]

    def get_inlines(self, request, obj):
        """Its own inlines, then those other apps register for a disease
        (registry.sections(Disease): treatments, figures)."""
        registered = [
            section.admin_inline
            for section in registry.sections(Disease)
            if section.admin_inline is not None
        ]
        return [*super().get_inlines(request, obj), *registered]


@admin.register(Symptom)
class SymptomAdmin(CuratedAdmin):
    list_display = ["name", "hpo_id", "hpo_label", "status"]
    search_fields = ["name", "slug", "synonyms", "hpo_id"]


@admin.register(Mechanism)
class MechanismAdmin(CuratedAdmin):
    list_display = ["name", "kind", "status"]
    list_filter = ["status", "kind", CitationPresenceFilter]
    search_fields = ["name", "slug", "synonyms"]


@admin.register(BodySystem)
class BodySystemAdmin(GuardedAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(DiseaseMembership)
class DiseaseMembershipAdmin(LinkAdmin):
    list_display = ["parent", "member", "note"]
    list_select_related = ["parent", "member"]
    list_filter = ["parent", CitationPresenceFilter]
    search_fields = ["parent__name", "member__name"]
    autocomplete_fields = ["parent", "member", "citations"]


@admin.register(DiseaseBodySystem)
class DiseaseBodySystemAdmin(LinkAdmin):
    list_display = ["disease", "body_system", "note"]
    list_select_related = ["disease", "body_system"]
    list_filter = ["body_system", CitationPresenceFilter]
    search_fields = ["disease__name", "body_system__name"]
    autocomplete_fields = ["disease", "body_system", "citations"]


@admin.register(DiseaseSymptom)
class DiseaseSymptomAdmin(LinkAdmin):
    list_display = ["disease", "symptom", "frequency", "note"]
    list_select_related = ["disease", "symptom"]
    list_filter = ["frequency", CitationPresenceFilter]
    search_fields = ["disease__name", "symptom__name"]
    autocomplete_fields = ["disease", "symptom", "citations"]


@admin.register(DiseaseMechanism)
class DiseaseMechanismAdmin(LinkAdmin):
    list_display = ["disease", "mechanism", "role", "note"]
    list_select_related = ["disease", "mechanism"]
    list_filter = ["role", CitationPresenceFilter]
    search_fields = ["disease__name", "mechanism__name"]
    autocomplete_fields = ["disease", "mechanism", "citations"]


@admin.register(DiseaseRelation)
class DiseaseRelationAdmin(LinkAdmin):
    list_display = ["subject", "kind", "target", "note"]
    list_select_related = ["subject", "target"]
    list_filter = ["kind", CitationPresenceFilter]
    search_fields = ["subject__name", "target__name"]
    autocomplete_fields = ["subject", "target", "citations"]


@admin.register(DiseaseXref)
class DiseaseXrefAdmin(XrefAdmin):
    owner = "disease"
    extra_list_display = ("exact",)
    list_filter = ["system", "exact", CitationPresenceFilter]
