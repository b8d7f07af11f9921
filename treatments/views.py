"""HTML pages of drug classes and drugs."""

from django.db.models import prefetch_related_objects

from kbframework.inheritance import Above
from kbframework.views import KBDetailView, KBFilterView
from kbframework.visibility import Visibility
from treatments.filtersets import DrugClassFilterSet, DrugFilterSet
from treatments.models import Drug, DrugClass


class DrugClassListView(KBFilterView):
    model = DrugClass
    filterset_class = DrugClassFilterSet
    template_name = "treatments/drugclass_list.html"


class DrugClassDetailView(KBDetailView):
    """A class's page: what the sources state for it, what they state for
    the classes above it (labelled by class), and every drug below it."""

    model = DrugClass
    template_name = "treatments/drugclass_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        DrugClass.objects.with_classes_above([self.object], user)
        context["above"] = self.object.above
        context["drugs_below"] = DrugClass.objects.drugs_below(self.object, user)
        return context


class DrugListView(KBFilterView):
    model = Drug
    filterset_class = DrugFilterSet
    template_name = "treatments/drug_list.html"


class DrugDetailView(KBDetailView):
    """A drug's page: its own uses, then what the sources state for its class
    and the classes above it (uses, adverse effects, response notes),
    labelled by class."""

    model = Drug
    template_name = "treatments/drug_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        klass = self.object.drug_class
        prefetch_related_objects(
            [klass], *DrugClass.objects.stated_prefetches(Visibility.of(user))
        )
        DrugClass.objects.with_classes_above([klass], user)
        context["classes"] = [Above(klass), *klass.above]
        return context
