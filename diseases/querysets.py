"""Reads of diseases, symptoms and mechanisms."""

from django.db.models import Prefetch, Q

from imidkb.models import Citation, CuratedQuerySet


def citations_prefetch(lookup: str = "citations") -> Prefetch:
    """Prefetch a record's citations with their sources, in a stable order."""
    return Prefetch(lookup, queryset=Citation.objects.select_related("source"))


class NamedRecordQuerySet(CuratedQuerySet):
    """Curated records with a name and a list of synonyms."""

    def search(self, text: str) -> "NamedRecordQuerySet":
        """Records whose name, slug or (case-insensitively) synonyms contain text."""
        text = (text or "").strip()
        if not text:
            return self.none()
        return self.filter(
            Q(name__icontains=text)
            | Q(slug__icontains=text)
            | Q(synonyms__icontains=text)
        )


class DiseaseQuerySet(NamedRecordQuerySet):
    def search(self, text: str) -> "DiseaseQuerySet":
        text = (text or "").strip()
        if not text:
            return self.none()
        return self.filter(
            Q(name__icontains=text)
            | Q(slug__icontains=text)
            | Q(synonyms__icontains=text)
            | Q(abbreviations__icontains=text)
            | Q(former_names__icontains=text)
        )

    def for_list(self) -> "DiseaseQuerySet":
        return self.prefetch_related("body_systems")

    def for_detail(self) -> "DiseaseQuerySet":
        from diseases.models import (
            DiseaseBodySystem,
            DiseaseMechanism,
            DiseaseMembership,
            DiseaseRelation,
            DiseaseSymptom,
            DiseaseXref,
        )

        return self.for_list().prefetch_related(
            citations_prefetch(),
            Prefetch(
                "parent_links",
                queryset=DiseaseMembership.objects.select_related("parent"),
            ),
            Prefetch(
                "member_links",
                queryset=DiseaseMembership.objects.select_related("member"),
            ),
            Prefetch(
                "body_system_links",
                queryset=DiseaseBodySystem.objects.select_related("body_system"),
            ),
            Prefetch(
                "symptom_links",
                queryset=DiseaseSymptom.objects.select_related("symptom"),
            ),
            Prefetch(
                "mechanism_links",
                queryset=DiseaseMechanism.objects.select_related("mechanism"),
            ),
            Prefetch(
                "relations_out",
                queryset=DiseaseRelation.objects.select_related("target"),
            ),
            Prefetch(
                "relations_in",
                queryset=DiseaseRelation.objects.select_related("subject"),
            ),
            Prefetch("xrefs", queryset=DiseaseXref.objects.all()),
        )


class SymptomQuerySet(NamedRecordQuerySet):
    def for_list(self) -> "SymptomQuerySet":
        return self.all()

    def for_detail(self) -> "SymptomQuerySet":
        from diseases.models import DiseaseSymptom

        return self.prefetch_related(
            citations_prefetch(),
            Prefetch(
                "disease_links",
                queryset=DiseaseSymptom.objects.select_related("disease"),
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
                queryset=DiseaseMechanism.objects.select_related("disease"),
            ),
        )
