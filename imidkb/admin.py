"""Admin for sources and citations, and the bases every app's admin builds on."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from imidkb.models import Citation, DataVersion, Release, Source


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


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Releases are cut with `manage.py cutrelease`, never edited."""

    list_display = ["number", "cut_at", "note", "data_version", "json_sha256"]
    fields = [
        "number",
        "cut_at",
        "note",
        "data_version",
        "counts",
        "changelog",
        "json_sha256",
        "csv_zip_sha256",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("json_data", "csv_zip", "manifest")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataVersion)
class DataVersionAdmin(admin.ModelAdmin):
    """The knowledge-base version counter, for diagnosis; maintained by signals."""

    list_display = ["number", "changed", "release", "release_version"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
