"""Reads of diseases, symptoms and mechanisms."""

from collections import defaultdict

from django.apps import apps
from django.db.models import Prefetch, Value

from imidkb import search
from imidkb.filters import order_by_ids
from imidkb.models import Citation, CuratedQuerySet, NaturalKeyQuerySet, Status


def citations_prefetch(lookup: str = "citations") -> Prefetch:
    """Prefetch a record's citations with their sources, in a stable order."""
    return Prefetch(lookup, queryset=Citation.objects.select_related("source"))


class BodySystemQuerySet(NaturalKeyQuerySet):
    """Body systems are a vocabulary: always visible, never drafted."""

    def visible_to(self, user) -> "BodySystemQuerySet":
        queryset = self.all()
        queryset.public = not (user is not None and user.is_staff)
        return queryset

    def for_list(self) -> "BodySystemQuerySet":
        return self.all()

    def for_detail(self) -> "BodySystemQuerySet":
        from diseases.models import DiseaseBodySystem

        return self.prefetch_related(
            Prefetch(
                "disease_links",
                queryset=self.linked(
                    DiseaseBodySystem.objects.select_related("disease"), "disease"
                ).prefetch_related(citations_prefetch()),
            )
        )


class NamedRecordQuerySet(CuratedQuerySet):
    """Curated records found by name, abbreviation or synonym."""

    def search(self, text: str) -> "NamedRecordQuerySet":
        """Matching records, best match first (see imidkb.search)."""
        hits = search.search(text, [self.model._meta.label_lower])
        return order_by_ids(self, [hit.object_id for hit in hits])


class DiseaseQuerySet(NamedRecordQuerySet):
    # Prefetches other apps add to a disease's detail (figures, treatments),
    # so that this app does not import them.
    detail_prefetches: list = []

    def for_list(self) -> "DiseaseQuerySet":
        from diseases.models import DiseaseBodySystem, DiseaseMembership

        return self.prefetch_related(
            Prefetch(
                "parent_links",
                queryset=self.linked(
                    DiseaseMembership.objects.select_related("parent"), "parent"
                ),
            ),
            Prefetch(
                "body_system_links",
                queryset=DiseaseBodySystem.objects.select_related("body_system"),
            ),
        )

    def for_detail(self) -> "DiseaseQuerySet":
        from diseases.models import (
            DiseaseBodySystem,
            DiseaseMechanism,
            DiseaseMembership,
            DiseaseRelation,
            DiseaseSymptom,
            DiseaseXref,
        )

        cited = citations_prefetch
        return self.prefetch_related(
            cited(),
            Prefetch(
                "parent_links",
                queryset=self.linked(
                    DiseaseMembership.objects.select_related("parent"), "parent"
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "parent_links__parent__symptom_links",
                queryset=self.linked(
                    DiseaseSymptom.objects.select_related("symptom"), "symptom"
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "member_links",
                queryset=self.linked(
                    DiseaseMembership.objects.select_related("member"), "member"
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "body_system_links",
                queryset=DiseaseBodySystem.objects.select_related(
                    "body_system"
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "symptom_links",
                queryset=self.linked(
                    DiseaseSymptom.objects.select_related("symptom"), "symptom"
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "mechanism_links",
                queryset=self.linked(
                    DiseaseMechanism.objects.select_related("mechanism"), "mechanism"
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "relations_out",
                queryset=self.linked(
                    DiseaseRelation.objects.select_related("target"), "target"
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "relations_in",
                queryset=self.linked(
                    DiseaseRelation.objects.select_related("subject"), "subject"
                ).prefetch_related(cited()),
            ),
            Prefetch("xrefs", queryset=DiseaseXref.objects.all()),
            *(prefetch(self) for prefetch in self.detail_prefetches),
        )

    def related_to(self, disease, limit: int = 10) -> list[dict]:
        """Other diseases ranked by what they share with this one: symptoms,
        mechanisms and drug classes (through indications). Five queries.

        The disease's own symptoms, mechanisms and classes are read first (one
        query) and passed as lists, and the other diseases' visibility is a
        join, not `disease IN (visible diseases)`: the database then starts
        from the few shared ends, not from every disease (SQLite at 10,000
        diseases: 30 ms -> 1 ms for the three reads).
        """
        from diseases.models import DiseaseMechanism, DiseaseSymptom

        Indication = apps.get_model("treatments", "Indication")
        # What is shared -> (the link's far end, the links).
        ends = {
            "symptoms": ("symptom", DiseaseSymptom.objects.all()),
            "mechanisms": ("mechanism", DiseaseMechanism.objects.all()),
            "drug_classes": (
                "drug_class",
                Indication.objects.filter(drug_class__isnull=False),
            ),
        }
        own_queries = [
            self.linked(links.filter(disease=disease), end)
            .order_by()
            .annotate(kind=Value(key))
            .values_list("kind", f"{end}_id")
            for key, (end, links) in ends.items()
        ]
        own = defaultdict(set)
        union = own_queries[0].union(*own_queries[1:], all=True).order_by()
        for kind, end_id in union:
            own[kind].add(end_id)

        def others(key):
            """The other visible diseases' links to this disease's ends."""
            end, links = ends[key]
            queryset = (
                links.filter(**{f"{end}_id__in": sorted(own[key])})
                .exclude(disease=disease)
                .order_by()
            )
            if self.public:
                queryset = queryset.filter(disease__status=Status.PUBLISHED)
            return queryset.values_list("disease_id", f"{end}__slug")

        shared: dict[int, dict[str, list[str]]] = defaultdict(
            lambda: {key: [] for key in ends}
        )
        for key in ends:
            for disease_id, slug in others(key):
                if slug not in shared[disease_id][key]:
                    shared[disease_id][key].append(slug)
        score = {
            pk: sum(len(v) for v in items.values()) for pk, items in shared.items()
        }
        # Rows come unordered: ties at the cut are broken by key, then the
        # kept ones are ranked by name.
        top = sorted(score, key=lambda pk: (-score[pk], pk))[: limit * 2]
        names = {
            d.pk: d for d in self.model.objects.filter(pk__in=top).only("slug", "name")
        }
        ranked = sorted(top, key=lambda pk: (-score[pk], names[pk].name))[:limit]
        return [
            {
                "disease": names[pk],
                "score": score[pk],
                **{key: sorted(value) for key, value in shared[pk].items()},
            }
            for pk in ranked
        ]


class SymptomQuerySet(NamedRecordQuerySet):
    def for_list(self) -> "SymptomQuerySet":
        return self.all()

    def for_detail(self) -> "SymptomQuerySet":
        from diseases.models import DiseaseSymptom

        return self.prefetch_related(
            citations_prefetch(),
            Prefetch(
                "disease_links",
                queryset=self.linked(
                    DiseaseSymptom.objects.select_related("disease"), "disease"
                ).prefetch_related(citations_prefetch()),
            ),
        )


class MechanismQuerySet(NamedRecordQuerySet):
    def for_list(self) -> "MechanismQuerySet":
        return self.all()

    def for_detail(self) -> "MechanismQuerySet":
        from diseases.models import DiseaseMechanism

        return self.prefetch_related(
            citations_prefetch(),
            Prefetch(
                "disease_links",
                queryset=self.linked(
                    DiseaseMechanism.objects.select_related("disease"), "disease"
                ).prefetch_related(citations_prefetch()),
            ),
        )
