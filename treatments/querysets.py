"""Reads of drug classes, drugs and treatment-response notes.

Each read takes the reader (`user`): see kbframework.visibility.
"""

from django.db.models import Prefetch, prefetch_related_objects

from kbframework.inheritance import attach
from kbframework.querysets import (
    CuratedQuerySet,
    NamedRecordQuerySet,
    citations_prefetch,
)
from kbframework.visibility import Visibility


class DrugClassQuerySet(NamedRecordQuerySet):
    def for_list(self, user) -> "DrugClassQuerySet":
        from treatments.models import DrugClassXref

        return (
            self.restrict(user)
            .select_related("parent")
            .prefetch_related(Prefetch("xrefs", queryset=DrugClassXref.objects.all()))
        )

    def for_detail(self, user) -> "DrugClassQuerySet":
        from treatments.models import Drug

        visibility = Visibility.of(user)
        return self.for_list(user).prefetch_related(
            citations_prefetch(),
            Prefetch("children", queryset=visibility.records(self.model.objects.all())),
            Prefetch("drugs", queryset=visibility.records(Drug.objects.all())),
            *self.stated_prefetches(visibility),
        )

    def stated_prefetches(self, visibility) -> list[Prefetch]:
        """What the sources state for a class, which the pages of its drugs
        and subclasses show again under "stated for <class>": its uses,
        adverse effects and treatment-response notes."""
        from treatments.models import AdverseEffect, Indication, ResponseNote

        return [
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
            Prefetch(
                "response_notes",
                queryset=visibility.records(
                    ResponseNote.objects.select_related("disease")
                ).prefetch_related(citations_prefetch()),
            ),
        ]

    def with_classes_above(
        self, drug_classes: list, user, stated: bool = False
    ) -> list:
        """Set `drug_class.above` on each class: the classes above it,
        nearest first, each with what the sources state for it prefetched
        (with `stated`, the classes' own too: a drug's class, read with the
        drug). A constant number of queries, however deep the classes."""
        visibility = Visibility.of(user)
        # The class tree is small (a vocabulary: a dozen classes curated, a
        # few more per synthetic thousand): one read of it all. Nested
        # subqueries (kbframework.inheritance.edges) would repeat a class's
        # visibility, which follows its parents, at every level: too deep a
        # statement for SQLite's parser.
        pairs = list(
            self.model.objects.restrict(user)
            .filter(parent__isnull=False)
            .values_list("pk", "parent_id")
        )
        attach(drug_classes, pairs, self.model.objects.restrict(user))
        above = {a.record.pk: a.record for c in drug_classes for a in c.above}
        prefetch_related_objects(
            [*(drug_classes if stated else []), *above.values()],
            *self.stated_prefetches(visibility),
        )
        return drug_classes

    def drugs_below(self, drug_class, user) -> list:
        """The drugs the user may see of every class below this one (not of
        the class itself), with their class: two queries."""
        from treatments.models import Drug

        below = self.with_descendants([drug_class], user) - {drug_class.pk}
        return list(
            Drug.objects.restrict(user)
            .filter(drug_class__in=sorted(below))
            .select_related("drug_class")
            .order_by("drug_class__name", "name")
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
