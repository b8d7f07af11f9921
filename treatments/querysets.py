"""Reads of drug classes, drugs and treatment-response notes.

Each read takes the reader (`user`): see kbframework.visibility.
"""

from django.db.models import Prefetch

from kbframework.querysets import (
    CuratedQuerySet,
    NamedRecordQuerySet,
    citations_prefetch,
)
from kbframework.visibility import Visibility


class DrugClassQuerySet(NamedRecordQuerySet):
    def for_list(self, user) -> "DrugClassQuerySet":
        return self.restrict(user).select_related("parent")

    def for_detail(self, user) -> "DrugClassQuerySet":
        from treatments.models import AdverseEffect, Drug, DrugClassXref, Indication

        visibility = Visibility.of(user)
        return self.for_list(user).prefetch_related(
            citations_prefetch(),
            Prefetch("children", queryset=visibility.records(self.model.objects.all())),
            Prefetch("drugs", queryset=visibility.records(Drug.objects.all())),
            Prefetch("xrefs", queryset=DrugClassXref.objects.all()),
            Prefetch(
                "indications",
                queryset=visibility.records(
                    Indication.objects.select_related("disease")
                ).prefetch_related(citations_prefetch()),
            ),
            Prefetch(
                "adverse_effects",
                queryset=visibility.records(
                    AdverseEffect.objects.select_related("symptom", "condition")
                ).prefetch_related(citations_prefetch()),
            ),
        )

    def with_descendants(self, drug_classes, user) -> set[int]:
        """Ids of the given drug classes and of every class below them that
        the user may see (below an unpublished class, none for the public)."""
        children: dict[int | None, list[int]] = {}
        visible = self.model.objects.restrict(user)
        for pk, parent_id in visible.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, frontier = set(), [c.pk for c in drug_classes]
        while frontier:
            pk = frontier.pop()
            if pk not in found:
                found.add(pk)
                frontier.extend(children.get(pk, []))
        return found


class DrugQuerySet(NamedRecordQuerySet):
    def for_list(self, user) -> "DrugQuerySet":
        from treatments.models import DrugXref

        return (
            self.restrict(user)
            .select_related("drug_class")
            .prefetch_related(Prefetch("xrefs", queryset=DrugXref.objects.all()))
        )

    def for_detail(self, user) -> "DrugQuerySet":
        from treatments.models import Indication

        return self.for_list(user).prefetch_related(
            citations_prefetch(),
            Prefetch(
                "indications",
                queryset=Visibility.of(user)
                .records(Indication.objects.select_related("disease"))
                .prefetch_related(citations_prefetch()),
            ),
        )


class ResponseNoteQuerySet(CuratedQuerySet):
    def for_list(self, user) -> "ResponseNoteQuerySet":
        return self.restrict(user).select_related("disease", "drug_class")
