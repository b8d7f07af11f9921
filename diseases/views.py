"""HTML pages of diseases, symptoms, mechanisms and body systems."""

import json
from collections import defaultdict

from django.utils.html import strip_tags
from django.views.generic import ListView

from diseases.filtersets import DiseaseFilterSet, MechanismFilterSet, SymptomFilterSet
from diseases.models import BodySystem, Disease, Mechanism, Symptom
from kbframework.registry import registry
from kbframework.views import KBDetailView, KBFilterView, RestrictedMixin


class DiseaseListView(KBFilterView):
    model = Disease
    filterset_class = DiseaseFilterSet
    template_name = "diseases/disease_list.html"


class DiseaseDetailView(KBDetailView):
    """A disease's page: its own sections, then those other apps register for
    it (registry.sections(Disease): treatments, figures), each a partial."""

    model = Disease
    template_name = "diseases/disease_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        disease = self.object
        context["group_symptoms"] = [
            (membership.parent, list(membership.parent.symptom_links.all()))
            for membership in disease.parent_links.all()
            if membership.parent.symptom_links.all()
        ]
        context["mechanisms_by_role"] = group_by(
            disease.mechanism_links.all(), lambda link: link.get_role_display()
        )
        context["section_templates"] = []
        for section in registry.sections(Disease):
            if section.template:
                context.update(section.page_context(disease, self.request))
                context["section_templates"].append(section.template)
        context["related"] = Disease.objects.related_to(disease, self.request.user)
        context["json_ld"] = json_ld(disease, self.request)
        return context


def group_by(items, key) -> list[tuple]:
    """(key, items) in order of first appearance."""
    groups = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return list(groups.items())


def json_ld(disease, request) -> str:
    """schema.org MedicalCondition, escaped for a <script> data block."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "name": disease.name,
        "alternateName": [*disease.abbreviations, *disease.synonyms],
        "description": strip_tags(disease.summary),
        "url": request.build_absolute_uri(disease.get_absolute_url()),
        "code": [
            {
                "@type": "MedicalCode",
                "codeValue": xref.identifier.split(":", 1)[-1],
                "codingSystem": xref.get_system_display(),
            }
            for xref in disease.xrefs.all()
        ],
        "signOrSymptom": [
            {"@type": "MedicalSignOrSymptom", "name": link.symptom.name}
            for link in disease.symptom_links.all()
        ],
    }
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class SymptomListView(KBFilterView):
    model = Symptom
    filterset_class = SymptomFilterSet
    template_name = "diseases/symptom_list.html"


class SymptomDetailView(KBDetailView):
    model = Symptom
    template_name = "diseases/symptom_detail.html"


class MechanismListView(KBFilterView):
    model = Mechanism
    filterset_class = MechanismFilterSet
    template_name = "diseases/mechanism_list.html"


class MechanismDetailView(KBDetailView):
    model = Mechanism
    template_name = "diseases/mechanism_detail.html"


class BodySystemListView(RestrictedMixin, ListView):
    """Every body system, with how many diseases the reader may see in it."""

    model = BodySystem
    template_name = "diseases/bodysystem_list.html"


class BodySystemDetailView(KBDetailView):
    model = BodySystem
    template_name = "diseases/bodysystem_detail.html"
