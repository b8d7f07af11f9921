"""Site-wide pages."""

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
