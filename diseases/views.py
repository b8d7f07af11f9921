"""HTML pages of diseases, symptoms, mechanisms and body systems."""

import json
from collections import defaultdict

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.html import strip_tags
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from diseases.filtersets import DiseaseFilterSet, MechanismFilterSet, SymptomFilterSet
from diseases.models import BodySystem, Disease, Mechanism, Symptom
from imidkb.charts import numbered, range_chart
from imidkb.models import Status
from imidkb.pages import CitationIndex


class VisibleMixin:
    """Published records for the public, drafts too for editors."""

    model = None
    detail = False

    def get_queryset(self):
        visible = self.model.objects.visible_to(self.request.user)
        return visible.for_detail() if self.detail else visible.for_list()


def retired_record(model, slug, user):
    """(record, merged-into record or None) for a retired slug, else None."""
    if not any(field.name == "status" for field in model._meta.fields):
        return None
    record = model.objects.filter(slug=slug, status=Status.RETIRED).first()
    if record is None:
        return None
    target = getattr(record, "merged_into", None)
    if (
        target is not None
        and not model.objects.visible_to(user).filter(pk=target.pk).exists()
    ):
        target = None
    return record, target


class KBFilterView(VisibleMixin, FilterView):
    """A filterable list; a bad filter value shows the form with its error."""

    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_errors"] = self.filterset.is_bound and bool(
            self.filterset.errors
        )
        context["active_filters"] = bool(self.filterset.data)
        return context


class KBDetailView(VisibleMixin, DetailView):
    """A record's page. A retired record's slug is kept: it answers 301 to
    the record it was merged into, or 410 with the reason it was retired."""

    detail = True

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            retired = retired_record(self.model, kwargs.get("slug"), request.user)
            if retired is None:
                raise
            record, target = retired
            if target is not None:
                return HttpResponsePermanentRedirect(target.get_absolute_url())
            context = {"record": record, "model_name": record._meta.verbose_name}
            return render(request, "imidkb/gone.html", context, status=410)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refs"] = CitationIndex()
        return context


class DiseaseListView(KBFilterView):
    model = Disease
    filterset_class = DiseaseFilterSet
    template_name = "diseases/disease_list.html"


class DiseaseDetailView(KBDetailView):
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
        context["mechanisms_by_role"] = _group(
            disease.mechanism_links.all(), lambda link: link.get_role_display()
        )
        context["treatments"] = _treatments(disease)
        figures = sorted(
            disease.figures.all(), key=lambda f: (f.measure, f.region, f.slug)
        )
        context["figures"] = figures
        context["disagreements"] = disagreements(figures)
        context["charts"] = numbered(
            [
                range_chart(rows, title=title, label=statement_label)
                for title, rows in _group(figures, chart_title)
            ]
        )
        context["related"] = Disease.objects.visible_to(self.request.user).related_to(
            disease
        )
        context["json_ld"] = json_ld(disease, self.request)
        return context


def chart_title(figure) -> str:
    """One chart per measure, population and region of a disease's figures."""
    title = figure.get_measure_display().capitalize()
    if figure.population != "general":
        title += f", {figure.get_population_display()}"
    return f"{title}: {figure.get_region_display()}"


def statement_label(figure) -> str:
    """Name a figure by the source section that states it."""
    sections = [
        c.section.removeprefix("Disease Summary: ") for c in figure.citations.all()
    ]
    return "; ".join(sections) or figure.slug


def _group(items, key) -> list[tuple]:
    groups = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return list(groups.items())


def _treatments(disease) -> list[tuple]:
    """Indications grouped by drug class (a drug counts under its class)."""
    groups = defaultdict(list)
    for indication in disease.indications.all():
        klass = indication.drug_class or indication.drug.drug_class
        groups[klass].append(indication)
    return sorted(groups.items(), key=lambda item: item[0].name)


def disagreements(figures) -> list[list]:
    """Sets of figures answering the same question (disease, measure,
    population, region) with different statements."""
    groups = defaultdict(list)
    for figure in figures:
        key = (figure.disease_id, figure.measure, figure.population, figure.region)
        groups[key].append(figure)
    return [rows for rows in groups.values() if len(rows) > 1]


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


class BodySystemListView(VisibleMixin, ListView):
    model = BodySystem
    template_name = "diseases/bodysystem_list.html"

    def get_queryset(self):
        return BodySystem.objects.for_detail()


class BodySystemDetailView(KBDetailView):
    model = BodySystem
    template_name = "diseases/bodysystem_detail.html"
