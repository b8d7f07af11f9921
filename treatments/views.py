"""HTML pages of drug classes and drugs."""

from kbframework.views import KBDetailView, KBFilterView
from treatments.filtersets import DrugClassFilterSet, DrugFilterSet
from treatments.models import Drug, DrugClass


class DrugClassListView(KBFilterView):
    model = DrugClass
    filterset_class = DrugClassFilterSet
    template_name = "treatments/drugclass_list.html"


class DrugClassDetailView(KBDetailView):
    model = DrugClass
    template_name = "treatments/drugclass_detail.html"


class DrugListView(KBFilterView):
    model = Drug
    filterset_class = DrugFilterSet
    template_name = "treatments/drug_list.html"


class DrugDetailView(KBDetailView):
    model = Drug
    template_name = "treatments/drug_detail.html"
