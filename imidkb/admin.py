"""Admin for sources and citations, and the bases every app's admin builds on."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from imidkb.models import Citation, Source


class CitationPresenceFilter(admin.SimpleListFilter):
    """Filter records by whether they carry at least one citation."""

    title = _("citation")
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("yes", _("Cited")), ("no", _("Missing a citation"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(citations__isnull=True)
        if self.value() == "yes":
            return queryset.filter(citations__isnull=False).distinct()
        return queryset


class CuratedAdmin(admin.ModelAdmin):
    """Shared set-up for curated records: status, timestamps, citations."""

    list_filter = ["status", CitationPresenceFilter]
    readonly_fields = ["created", "updated", "version"]
    autocomplete_fields = ["citations"]
    prepopulated_fields = {"slug": ("name",)}
    save_on_top = True


class CitedInline(admin.TabularInline):
    """Shared set-up for link rows edited on their record's page."""

    extra = 0
    autocomplete_fields = ["citations"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "kind", "licence"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "slug"]
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["source", "section", "note"]
    list_filter = ["source"]
    list_select_related = ["source"]
    search_fields = ["section", "note", "source__title", "source__slug"]
    autocomplete_fields = ["source"]
