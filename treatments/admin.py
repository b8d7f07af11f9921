from django.contrib import admin

from kbframework.admin import (
    CitationPresenceFilter,
    CitedInline,
    CuratedAdmin,
    KBInline,
    LinkAdmin,
    XrefAdmin,
)
from treatments.models import (
    AdverseEffect,
    Drug,
    DrugClass,
    DrugClassXref,
    DrugXref,
    Indication,
    ResponseNote,
)


class DrugInline(KBInline):
    model = Drug
    fields = ["name", "slug", "status", "loaded_version"]
    show_change_link = True
    extra = 0


class DrugClassXrefInline(CitedInline):
    model = DrugClassXref


class DrugXrefInline(CitedInline):
    model = DrugXref


class ClassIndicationInline(CitedInline):
    model = Indication
    exclude = ["drug"]
    autocomplete_fields = ["disease", "citations"]


class DrugIndicationInline(CitedInline):
    model = Indication
    exclude = ["drug_class"]
    autocomplete_fields = ["disease", "citations"]


class AdverseEffectInline(CitedInline):
    model = AdverseEffect
    autocomplete_fields = ["symptom", "condition", "citations"]


@admin.register(DrugClass)
class DrugClassAdmin(CuratedAdmin):
    list_display = ["name", "parent", "effect", "modality", "development", "status"]
    list_select_related = ["parent"]
    list_filter = [
        "status",
        "effect",
        "modality",
        "development",
        CitationPresenceFilter,
    ]
    search_fields = ["name", "slug", "synonyms", "abbreviations"]
    autocomplete_fields = ["parent", "citations"]
    inlines = [
        DrugInline,
        ClassIndicationInline,
        AdverseEffectInline,
        DrugClassXrefInline,
    ]


@admin.register(Drug)
class DrugAdmin(CuratedAdmin):
    list_display = ["name", "drug_class", "status"]
    list_select_related = ["drug_class"]
    list_filter = ["status", "drug_class", CitationPresenceFilter]
    search_fields = ["name", "slug", "synonyms"]
    autocomplete_fields = ["drug_class", "citations"]
    inlines = [DrugIndicationInline, DrugXrefInline]


@admin.register(ResponseNote)
class ResponseNoteAdmin(CuratedAdmin):
    list_display = ["slug", "disease", "drug_class", "kind", "status"]
    list_select_related = ["disease", "drug_class"]
    list_filter = ["status", "kind", CitationPresenceFilter]
    search_fields = ["slug", "summary", "disease__name"]
    autocomplete_fields = ["disease", "drug_class", "citations"]
    prepopulated_fields = {}


@admin.register(Indication)
class IndicationAdmin(LinkAdmin):
    list_display = ["disease", "purpose", "drug_class", "drug"]
    list_select_related = ["disease", "drug_class", "drug"]
    list_filter = ["purpose", CitationPresenceFilter]
    search_fields = ["disease__name", "drug_class__name", "drug__name"]
    autocomplete_fields = ["drug_class", "drug", "disease", "citations"]


@admin.register(AdverseEffect)
class AdverseEffectAdmin(LinkAdmin):
    list_display = ["drug_class", "symptom", "condition", "frequency", "increased_risk"]
    list_select_related = ["drug_class", "symptom", "condition"]
    list_filter = ["frequency", "increased_risk", CitationPresenceFilter]
    search_fields = ["drug_class__name", "symptom__name", "condition__name"]
    autocomplete_fields = ["drug_class", "symptom", "condition", "citations"]


@admin.register(DrugClassXref)
class DrugClassXrefAdmin(XrefAdmin):
    owner = "drug_class"
    extra_list_display = ("preferred",)
    list_filter = ["system", "preferred", CitationPresenceFilter]


@admin.register(DrugXref)
class DrugXrefAdmin(XrefAdmin):
    owner = "drug"
    extra_list_display = ("preferred",)
    list_filter = ["system", "preferred", CitationPresenceFilter]


class DiseaseIndicationInline(CitedInline):
    """Treatments on a disease's page in the admin (a section registered in
    treatments/resources.py)."""

    model = Indication
    fk_name = "disease"
    autocomplete_fields = ["drug_class", "drug", "citations"]
    verbose_name = "treatment (indication)"
    verbose_name_plural = "treatments (indications)"
