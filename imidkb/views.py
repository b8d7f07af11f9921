"""Site-wide pages."""

from django.http import JsonResponse
from django.views import defaults
from django.views.generic import TemplateView

from diseases.models import Disease
from imidkb.models import Source


class HomeView(TemplateView):
    """What the knowledge base holds: its diseases by kind, and its sources."""

    template_name = "imidkb/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        diseases = Disease.objects.visible_to(self.request.user).only(
            "name", "slug", "kind", "abbreviations", "status"
        )
        by_kind = {kind: [] for kind in Disease.Kind}
        for disease in diseases:
            by_kind[Disease.Kind(disease.kind)].append(disease)
        context["diseases_by_kind"] = [
            (kind.label, rows) for kind, rows in by_kind.items() if rows
        ]
        sources = Source.objects.all()
        context["texts"] = [s for s in sources if s.kind != Source.Kind.REFERENCE_SET]
        context["reference_sets"] = [
            s for s in sources if s.kind == Source.Kind.REFERENCE_SET
        ]
        return context


def page_not_found(request, exception):
    """404: JSON under /api/ (the API's error shape), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"status": 404, "error": "not_found", "detail": "No such API endpoint."},
            status=404,
        )
    return defaults.page_not_found(request, exception)
