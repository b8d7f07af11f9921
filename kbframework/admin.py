"""The bases every app's admin builds on, and the admin of the framework's own
models (sources, citations, releases, the data version)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kbframework import curation, revisions, workflow
from kbframework.models import Citation, DataVersion, Release, Revision, Source, Status


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


class StaleRecordError(Exception):
    """Another editor saved the record after this form was opened."""


class NameListField(forms.JSONField):
    """A list of names, edited one per line instead of as raw JSON."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def bound_data(self, data, initial):
        return data

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


NAME_LISTS = ("abbreviations", "synonyms", "former_names")
WORKFLOW_FIELDS = (
    "status",
    "reviewed_on",
    "retired_note",
    "merged_into",
    "change_reason",
    "loaded_version",
)
RECORD_DATES = ("created", "updated", "version")


class VersionedForm(forms.ModelForm):
    """Refuses to overwrite a newer save of the row (a record or a link).

    `loaded_version` carries the version the editor opened; if the row has
    been saved since, the form says what changed instead of overwriting it.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # The stored version, also when reverting to an older one.
            self.fields["loaded_version"].initial = (
                type(self.instance)
                ._base_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and (not self.empty_permitted or self.has_changed()):
            self.check_not_stale(cleaned.get("loaded_version"))
        return cleaned

    def check_not_stale(self, loaded_version) -> None:
        model = type(self.instance)
        # No ordering: a model ordered by a nullable relation would join it,
        # and PostgreSQL refuses FOR UPDATE on the nullable side of a join.
        current = model._base_manager.filter(pk=self.instance.pk).order_by()
        if connection.in_atomic_block and connection.features.has_select_for_update:
            current = current.select_for_update()
        version = current.values_list("version", flat=True).first()
        if loaded_version is not None and loaded_version == version:
            return
        raise ValidationError(stale_message(self.instance, loaded_version, version))


class VersionedInlineForm(VersionedForm):
    """A row of an inline: also claims its version when saved, so that two
    saves racing past the check cannot both win."""

    def save(self, commit=True):
        if self.instance.pk and commit:
            claim_version(self.instance, self.cleaned_data.get("loaded_version"))
        return super().save(commit)


def claim_version(obj, loaded_version) -> None:
    """The last guard against a race between two saves: claim the version the
    form was checked against, or refuse (StaleRecordError)."""
    claimed = (
        type(obj)
        ._base_manager.filter(pk=obj.pk, version=loaded_version)
        .update(version=F("version"))
    )
    if not claimed:
        raise StaleRecordError


class CuratedAdminForm(VersionedForm):
    """Checks the workflow and refuses to overwrite a newer save."""

    change_reason = forms.CharField(
        label=_("Why this change"),
        max_length=100,
        required=False,
        help_text=_("Kept in the record's history, e.g. 'corrected UK figure'."),
    )
    user = None  # set by CuratedAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NAME_LISTS:
            if name in self.fields:
                field = self.fields[name]
                self.fields[name] = NameListField(
                    label=field.label,
                    required=False,
                    validators=field.validators,
                    help_text=_("One per line."),
                )
        stored = None
        if self.instance.pk:
            stored = (
                type(self.instance)
                ._base_manager.filter(pk=self.instance.pk)
                .values("status", "version", "slug")
                .first()
            )
        self.original_status = stored["status"] if stored else Status.DRAFT
        self.original_slug = stored["slug"] if stored else None

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("status", self.original_status)
        try:
            workflow.check_transition(self.user, self.original_status, target)
        except (PermissionDenied, ValidationError) as error:
            self.add_error("status", " ".join(getattr(error, "messages", [str(error)])))
        if (
            target == Status.PUBLISHED
            and "citations" in self.fields
            and not cleaned.get("citations")
        ):
            self.add_error(
                "citations", _("A published record needs at least one citation.")
            )
        slug = cleaned.get("slug")
        if self.original_slug and slug and slug != self.original_slug:
            self.add_error(
                "slug",
                _("A slug is permanent: retire this record and create a new one."),
            )
        return cleaned


def stale_message(record, loaded_version, version) -> str:
    """Say what changed between the version an editor opened and the latest."""
    history = record.history.all()
    opened = history.filter(version=loaded_version).order_by("-history_date").first()
    latest = history.order_by("-history_date").first()
    changes = []
    if opened and latest and opened.pk != latest.pk:
        delta = latest.diff_against(opened, excluded_fields=["updated", "version"])
        changes = [
            f"{change.field}: “{change.old}” → “{change.new}”"
            for change in delta.changes
        ]
        who = latest.history_user or "another editor"
    else:
        who = "another editor"
    message = (
        f"{who} saved this record after you opened it (you opened version "
        f"{loaded_version}, it is now at version {version}). Nothing was "
        "overwritten: reload the page to see the latest version, then make "
        "your change again."
    )
    if changes:
        message += " Changed since you opened it: " + "; ".join(changes) + "."
    return message


def transition_action(transition: workflow.Transition):
    """An admin action moving the selected records along one transition."""

    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for record in queryset:
            source = record.status
            if source not in transition.sources:
                refused.append(f"{record}: it is {record.get_status_display()}")
                continue
            try:
                record._change_reason = f"{transition.label} (admin action)"
                with transaction.atomic():
                    workflow.apply(request.user, record, transition.target)
                done += 1
            except PermissionDenied as error:
                refused.append(f"{record}: {error}")
            except ValidationError as error:
                refused.append(f"{record}: {' '.join(error.messages)}")
        if done:
            modeladmin.message_user(
                request, f"{transition.label}: {done} record(s).", messages.SUCCESS
            )
        if refused:
            modeladmin.message_user(
                request,
                f"{transition.label} refused for: " + "; ".join(refused),
                messages.ERROR,
            )

    action.__name__ = f"action_{transition.name}_{transition.target}"
    return admin.action(description=transition.label)(action)


WORKFLOW_ACTIONS = [
    transition_action(transition) for transition in workflow.TRANSITIONS
]


class VersionedAdminMixin:
    """No lost update for rows with a version (records and links): the save
    claims the version the form opened, and a save that lost the race is
    answered with a message, not an error page."""

    def save_model(self, request, obj, form, change):
        if change:
            claim_version(obj, form.cleaned_data.get("loaded_version"))
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleRecordError:
            self.message_user(
                request,
                "Another editor saved this record at the same moment; nothing "
                "of yours was saved. Reload and make your change again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())


class ProposalAdminMixin:
    """Admins of curated rows: while an editor's change is being proposed
    (proposing_view), the admin's own "changed successfully" would be untrue,
    so it is held back; a change form names the record's pending
    revisions."""

    change_form_template = "admin/kbframework/change_form.html"

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        proposal = curation.current_proposal()
        if proposal is not None and proposal.reviewed and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        root = None
        obj = self.get_object(request, object_id)
        if obj is not None:
            root = revisions.root_of(obj)
        pending = Revision.objects.none()
        if root is not None and root.pk is not None:
            pending = Revision.objects.filter(
                root_type=ContentType.objects.get_for_model(type(root)),
                root_id=root.pk,
                state=Revision.State.PENDING,
            ).select_related("proposed_by")
        context = {
            "pending_revisions": list(pending),
            "base_change_form": super().change_form_template
            or "admin/change_form.html",
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)


class CuratedAdmin(ProposalAdminMixin, VersionedAdminMixin, SimpleHistoryAdmin):
    """Shared set-up for curated records: status workflow, timestamps,
    citations, history with revert, and no lost updates."""

    form = CuratedAdminForm
    list_filter = ["status", CitationPresenceFilter]
    readonly_fields = ["created", "updated", "version"]
    autocomplete_fields = ["citations"]
    prepopulated_fields = {"slug": ("name",)}
    actions = WORKFLOW_ACTIONS
    save_on_top = True

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_fieldsets(self, request, obj=None):
        """The record first, then its sources, then its workflow."""
        fields = list(self.get_fields(request, obj))
        workflow_fields = [f for f in WORKFLOW_FIELDS if f in fields]
        dates = [f for f in RECORD_DATES if f in fields]
        sources = [f for f in ("citations",) if f in fields]
        record = [f for f in fields if f not in {*workflow_fields, *dates, *sources}]
        return [
            (None, {"fields": record}),
            (_("Sources"), {"fields": sources}),
            (
                _("Workflow and history"),
                {"fields": workflow_fields + dates},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        """A record's slug is its permanent address: fixed once saved."""
        fields = list(super().get_readonly_fields(request, obj))
        match = getattr(request, "resolver_match", None)
        reverting = match is not None and match.url_name.endswith("_simple_history")
        # (simple-history's revert form keeps the prepopulated slug field.)
        if obj is not None and obj.pk and not reverting:
            fields.insert(0, "slug")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.pk:
            return {}
        return super().get_prepopulated_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return workflow.can_edit(request.user, obj)

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        obj._change_reason = reason or (
            "Edited in the admin" if change else "Created in the admin"
        )
        proposal = curation.current_proposal()
        if proposal is not None and reason:
            proposal.reason = reason
        super().save_model(request, obj, form, change)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        with transaction.atomic():
            return super().history_form_view(
                request, object_id, version_id, extra_context
            )


class KBInline(admin.TabularInline):
    """Rows edited on their record's page: read-only to editors while the
    record is not a draft (the write guard, kbframework.curation, refuses
    such writes on the server whatever the form shows)."""

    extra = 0
    # Folded until opened: a record's page lists its sections, not every
    # row of every section (a disease's page was 6,500 px of open tables).
    classes = ["collapse"]
    # A row saved elsewhere since the page was opened is refused, not
    # reverted. (Inlines that list their `fields` name "loaded_version".)
    form = VersionedInlineForm

    def _editable(self, request, obj) -> bool:
        return obj is None or workflow.can_edit(request.user, obj)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(
            request, obj
        )


class CitedInline(KBInline):
    """Shared set-up for link rows edited on their record's page."""

    autocomplete_fields = ["citations"]


class GuardedAdmin(ProposalAdminMixin, VersionedAdminMixin, admin.ModelAdmin):
    """Rows that are not records (links, sources, citations, body systems):
    editors change them directly while readers cannot see them, and
    otherwise by proposing a revision (kbframework.curation): read-only to
    editors where not even a proposal may be made (deleting a source). No
    lost update: the form carries the version it opened, as a record's does."""

    form = VersionedForm

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or curation.may_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (
            obj is None or curation.may_change(request.user, obj, deleting=True)
        )


class LinkAdmin(GuardedAdmin):
    """Changelists of link rows, for browsing across records."""

    list_filter = [CitationPresenceFilter]
    autocomplete_fields = ["citations"]


class XrefAdmin(LinkAdmin):
    """Identifiers of one kind of record; `owner` names the record's field."""

    owner = ""
    extra_list_display: tuple[str, ...] = ()

    def get_list_display(self, request):
        return ["identifier", "system", "label", self.owner, *self.extra_list_display]

    def get_list_select_related(self, request):
        return [self.owner]

    def get_search_fields(self, request):
        return ["identifier", "label", f"{self.owner}__name"]

    def get_autocomplete_fields(self, request):
        return [self.owner, "citations"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows made by commands or by the workflow, never edited in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(GuardedAdmin):
    list_display = ["title", "publisher", "kind", "licence"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "slug"]
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Citation)
class CitationAdmin(GuardedAdmin):
    list_display = ["source", "section", "note"]
    list_filter = ["source"]
    list_select_related = ["source"]
    search_fields = ["section", "note", "source__title", "source__slug"]
    autocomplete_fields = ["source"]


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
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


@admin.register(DataVersion)
class DataVersionAdmin(admin.ModelAdmin):
    """The knowledge-base version counter, for diagnosis; maintained by signals."""

    list_display = ["number", "changed", "release", "release_version"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    """The review queue's revisions: read by everyone on the team, decided by
    reviewers (publish, or send back with a comment). Revisions come from
    editors' edits and are never edited or deleted."""

    list_display = [
        "pk",
        "title",
        "state",
        "proposed_by",
        "proposed_at",
        "reason",
        "reviewed_by",
        "reviewed_at",
    ]
    list_display_links = ["pk", "title"]
    list_filter = ["state"]
    list_select_related = ["proposed_by", "reviewed_by"]
    search_fields = ["title", "reason", "review_comment"]
    date_hierarchy = "proposed_at"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("changes")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = get_object_or_404(
            Revision.objects.select_related("proposed_by", "reviewed_by"),
            pk=object_id
            if str(object_id).isascii() and str(object_id).isdigit()
            else 0,
        )
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        comment = ""
        if request.method == "POST":
            decision = request.POST.get("decision")
            comment = request.POST.get("comment", "").strip()
            try:
                if len(comment) > 2000:
                    raise ValidationError("Keep the comment under 2,000 characters.")
                if decision == "publish":
                    revisions.publish(request.user, revision, comment)
                elif decision == "send_back":
                    revisions.send_back(request.user, revision, comment)
                else:
                    raise ValidationError("Choose to publish or to send back.")
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                done = "published" if decision == "publish" else "sent back"
                self.message_user(
                    request, f"Revision {revision.pk} {done}.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:review-queue"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revision {revision.pk}: {revision.title}",
            "revision": revision,
            "proposed": revisions.proposed_changes(revision),
            "moved": revisions.changed_since(revision)
            if revision.state == Revision.State.PENDING
            else [],
            "can_review": workflow.is_reviewer(request.user)
            and revision.state == Revision.State.PENDING,
            "comment": comment,
            "roots": [
                (root["title"], _admin_change_url(root))
                for root in revision.changes["roots"]
            ],
        }
        return TemplateResponse(request, "admin/kbframework/revision.html", context)


def _admin_change_url(root) -> str:
    app_label, model_name = root["model"].split(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[root["pk"]])
    except Exception:
        return ""
