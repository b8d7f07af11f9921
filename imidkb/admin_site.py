"""The admin site, with a review queue first."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path, reverse

from kbframework.choices import Status
from kbframework.proposing import proposing_view
from kbframework.registry import registry


class KBAdminSite(admin.AdminSite):
    site_header = "IMID-KB curation"
    site_title = "IMID-KB curation"
    index_title = "Knowledge base"
    index_template = "admin/kb_index.html"

    def admin_view(self, view, cacheable=False):
        """Every view of the site, a model admin's or one added later: an
        editor's change to what readers see becomes a revision for review
        (kbframework.admin.proposing_view)."""
        return super().admin_view(proposing_view(view), cacheable)

    def get_urls(self):
        return [
            path(
                "review-queue/",
                self.admin_view(self.review_queue),
                name="review-queue",
            ),
            *super().get_urls(),
        ]

    def get_app_list(self, request, app_label=None):
        """Editors and reviewers find records as they think of them: a disease
        with its sections, a drug class with its drugs. The tables behind
        those pages (link rows and identifiers, edited inline on their
        record's page; the data-version counter; login-lockout logs) stay out
        of their menus; superusers see every table."""
        from kbframework.models import Revision

        app_list = super().get_app_list(request, app_label)
        hidden = set() if request.user.is_superuser else self.implementation_models()
        queue = []
        for app in app_list:
            queue += [m for m in app["models"] if m["model"] is Revision]
            app["models"] = [
                m
                for m in app["models"]
                if m["model"] not in hidden and m["model"] is not Revision
            ]
        app_list = [app for app in app_list if app["models"]]
        if queue and app_label is None:
            app_list.insert(
                0,
                {
                    "name": "Review",
                    "app_label": "review",
                    "app_url": reverse("admin:review-queue"),
                    "has_module_perms": True,
                    "models": queue,
                },
            )
        return app_list

    def implementation_models(self) -> set:
        from django.apps import apps

        from kbframework.models import Citation, DataVersion, Source

        shared = {Source, Citation}
        links = {
            model
            for model in registry.link_models()
            if model not in shared and registry.hanging_off(model) == []
        }
        logs = set(apps.get_app_config("axes").get_models())
        return links | logs | {DataVersion}

    def curated_models(self):
        """Models with a workflow status that this admin site edits."""
        return [m for m in registry.workflow_models() if m in self._registry]

    def waiting(self, request):
        """(model admin, records) in review that this user may see."""
        queue = []
        for model in self.curated_models():
            model_admin = self._registry[model]
            if not model_admin.has_view_or_change_permission(request):
                continue
            records = list(
                model.objects.filter(status=Status.IN_REVIEW).order_by("updated")
            )
            if records:
                queue.append((model._meta, records))
        return queue

    def pending_revisions(self):
        from kbframework.models import Revision

        return (
            Revision.objects.filter(state=Revision.State.PENDING)
            .select_related("proposed_by")
            .defer("changes")
            .order_by("proposed_at", "pk")
        )

    def review_queue(self, request):
        """Changes to published records waiting for review, then new records
        submitted for review; oldest first."""
        context = {
            **self.each_context(request),
            "title": "Needs review",
            "revisions": list(self.pending_revisions()),
            "queue": self.waiting(request),
        }
        return TemplateResponse(request, "admin/review_queue.html", context)

    def index(self, request, extra_context=None):
        waiting = sum(len(records) for _opts, records in self.waiting(request))
        waiting += self.pending_revisions().count()
        return super().index(
            request, {"review_count": waiting, **(extra_context or {})}
        )
