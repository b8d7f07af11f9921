"""HTML pages of diseases, symptoms, mechanisms and body systems."""

import json
from collections import defaultdict

from django.db.models import Prefetch
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import strip_tags
from django.views.generic import ListView

from diseases.filtersets import DiseaseFilterSet, MechanismFilterSet, SymptomFilterSet
from diseases.models import BodySystem, Disease, Mechanism, Symptom
from kbframework.registry import registry
from kbframework.views import KBDetailView, KBFilterView, RestrictedMixin
from kbframework.visibility import Visibility


class DiseaseListView(KBFilterView):
    """Diseases, groups and subtypes; conditions and outcomes have their own
    list (ConditionListView). The API lists every kind."""

    model = Disease
    filterset_class = DiseaseFilterSet
    template_name = "diseases/disease_list.html"

    def get(self, request, *args, **kwargs):
        if request.GET.getlist("kind") == [Disease.Kind.CONDITION]:
            return HttpResponseRedirect(reverse("diseases:condition-list"))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().exclude(kind=Disease.Kind.CONDITION)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        kind = filterset.form.fields["kind"]
        kind.choices = [c for c in kind.choices if c[0] != Disease.Kind.CONDITION]
        return filterset


class ConditionListView(RestrictedMixin, ListView):
    """Conditions and outcomes (premature death, infections...), each with
    the diseases the sources link to it."""

    model = Disease
    template_name = "diseases/condition_list.html"

    def get_queryset(self):
        from diseases.models import DiseaseRelation

        visible = Visibility.of(self.request.user).records
        return (
            Disease.objects.restrict(self.request.user)
            .filter(kind=Disease.Kind.CONDITION)
            .prefetch_related(
                Prefetch(
                    "relations_in",
                    queryset=visible(
                        DiseaseRelation.objects.select_related("subject")
                    ).order_by("subject__name"),
                )
            )
        )


class DiseaseDetailView(KBDetailView):
    """A disease's page: its own sections, then those other apps register for
    it (registry.sections(Disease): treatments, figures), each a partial."""

    model = Disease
    template_name = "diseases/disease_detail.html"
    # True under /conditions/: the page of a condition or outcome.
    outcomes = False

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record = getattr(self, "object", None)
        if record is not None and record.is_outcome != self.outcomes:
            # A condition's old /diseases/ address (or a disease asked for
            # under /conditions/): its page is elsewhere.
            return HttpResponsePermanentRedirect(record.get_absolute_url())
        return response

    def get_queryset(self):
        # Its stated links are read with its groups' (get_context_data).
        return Disease.objects.for_detail(self.request.user, stated=False)

    def get_template_names(self):
        if self.object.is_outcome:
            return ["diseases/condition_detail.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        disease = self.object
        request = self.request
        # What the sources state for it and for its groups (and theirs),
        # read together; the groups' shown under "stated for <group>".
        Disease.objects.with_groups_above([disease], request.user, stated=True)
        context["above"] = disease.above
        context["mechanisms_by_role"] = mechanisms_by_role(disease)
        context["above_mechanisms"] = [
            (above, mechanisms_by_role(above.record))
            for above in disease.above
            if above.record.mechanism_links.all()
        ]
        outcome = disease.is_outcome
        context["outcome"] = outcome
        context["section_templates"] = []
        context["above_sections"] = {}
        contents = [("facts", "Groups, body systems and identifiers")]
        if not outcome or disease.symptom_links.all():
            contents.append(("symptoms", "Symptoms and manifestations"))
        if not outcome or disease.mechanism_links.all():
            contents.append(("mechanisms", "Mechanisms, causes and risk factors"))
        for section in registry.sections(Disease):
            if not section.template:
                continue
            section_context = section.page_context(disease, request)
            context.update(section_context)
            context["section_templates"].append(section.template)
            shown = section.has_content(disease, section_context) or (
                section.always and not outcome
            )
            if section.anchor and shown:
                contents.append((section.anchor, section.title))
            if section.inherited:
                context["above_sections"][section.name] = [
                    (above, section.page_context(above.record, request))
                    for above in disease.above
                ]
        contents.append(("relations", "Linked diseases and conditions"))
        if not outcome:
            contents.append(("related", "Related diseases"))
        contents.append(("references", "Sources cited on this page"))
        context["contents"] = contents
        context["related"] = (
            [] if outcome else Disease.objects.related_to(disease, request.user)
        )
        context["json_ld"] = json_ld(disease, request)
        return context


def mechanisms_by_role(disease) -> list[tuple]:
    return group_by(disease.mechanism_links.all(), lambda link: link.get_role_display())


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
    """A symptom's page: the diseases it is stated for, then the sections
    other apps register for a symptom (registry.sections(Symptom): the drug
    classes it is an adverse effect of)."""

    model = Symptom
    template_name = "diseases/symptom_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section_templates"] = [
            section.template
            for section in registry.sections(Symptom)
            if section.template
        ]
        return context


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
