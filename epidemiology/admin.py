from django.contrib import admin

from epidemiology.models import Figure, Study
from kbframework.admin import CitationPresenceFilter, CuratedAdmin, KBInline


class FigureInline(KBInline):
    model = Figure
    fields = [
        "slug",
        "disease",
        "measure",
        "qualifier",
        "value",
        "lower",
        "upper",
        "loaded_version",
    ]
    autocomplete_fields = ["disease"]
    show_change_link = True
    extra = 0


@admin.register(Study)
class StudyAdmin(CuratedAdmin):
    list_display = ["name", "year", "status"]
    search_fields = ["name", "slug"]
    inlines = [FigureInline]


@admin.register(Figure)
class FigureAdmin(CuratedAdmin):
    list_display = [
        "slug",
        "disease",
        "measure",
        "display_value",
        "population",
        "region",
        "year",
        "preferred",
        "status",
    ]
    list_select_related = ["disease", "study"]
    list_filter = [
        "status",
        "measure",
        "region",
        "population",
        "preferred",
        CitationPresenceFilter,
    ]
    search_fields = ["slug", "disease__name", "note"]
    autocomplete_fields = ["disease", "study", "citations"]
    prepopulated_fields = {}

    @admin.display(description="figure")
    def display_value(self, obj):
        return obj.display_value()


class DiseaseFigureInline(KBInline):
    """Figures on a disease's page in the admin (edited in full on their own;
    a section registered in epidemiology/resources.py)."""

    model = Figure
    fk_name = "disease"
    fields = [
        "slug",
        "measure",
        "qualifier",
        "value",
        "lower",
        "upper",
        "unit",
        "region",
        "loaded_version",
    ]
    show_change_link = True
    extra = 0
