"""Reads of drug classes, drugs and treatment-response notes."""

from django.db.models import Prefetch

from diseases.querysets import NamedRecordQuerySet, citations_prefetch
from imidkb.models import CuratedQuerySet


class DrugClassQuerySet(NamedRecordQuerySet):
    def for_list(self) -> "DrugClassQuerySet":
        return self.select_related("parent")

    def for_detail(self) -> "DrugClassQuerySet":
        from treatments.models import AdverseEffect, Drug, DrugClassXref, Indication

        return self.for_list().prefetch_related(
            citations_prefetch(),
            Prefetch("children", queryset=self.published_if_public(self.model)),
            Prefetch("drugs", queryset=self.published_if_public(Drug)),
            Prefetch("xrefs", queryset=DrugClassXref.objects.all()),
            Prefetch(
                "indications",
                queryset=self.linked(
                    Indication.objects.select_related("disease"), "disease"
                ).prefetch_related(citations_prefetch()),
            ),
            Prefetch(
                "adverse_effects",
                queryset=self.without_unpublished(
                    AdverseEffect.objects.select_related("symptom", "condition"),
                    "symptom",
                    "condition",
                ).prefetch_related(citations_prefetch()),
            ),
        )


class DrugQuerySet(NamedRecordQuerySet):
    def for_list(self) -> "DrugQuerySet":
        from treatments.models import DrugXref

        return self.select_related("drug_class").prefetch_related(
            Prefetch("xrefs", queryset=DrugXref.objects.all())
        )

    def for_detail(self) -> "DrugQuerySet":
        from treatments.models import Indication

        return self.for_list().prefetch_related(
            citations_prefetch(),
            Prefetch(
                "indications",
                queryset=self.linked(
                    Indication.objects.select_related("disease"), "disease"
                ).prefetch_related(citations_prefetch()),
            ),
        )


class ResponseNoteQuerySet(CuratedQuerySet):
    def for_list(self) -> "ResponseNoteQuerySet":
        return self.select_related("disease", "drug_class")
