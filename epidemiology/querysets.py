"""Reads of epidemiology figures and studies."""

from django.db.models import Exists, OuterRef, Prefetch

from diseases.querysets import citations_prefetch
from imidkb import search
from imidkb.filters import words_filter
from imidkb.models import CuratedQuerySet


class StudyQuerySet(CuratedQuerySet):
    def for_list(self) -> "StudyQuerySet":
        return self.all()

    def search(self, text: str) -> "StudyQuerySet":
        return words_filter(self, ["name", "summary"], text)

    def for_detail(self) -> "StudyQuerySet":
        from epidemiology.models import Figure

        return self.prefetch_related(
            citations_prefetch(),
            Prefetch(
                "figures",
                queryset=Figure.objects.published()
                .select_related("disease")
                .prefetch_related(citations_prefetch()),
            ),
        )


class FigureQuerySet(CuratedQuerySet):
    def for_list(self) -> "FigureQuerySet":
        return self.select_related("disease", "study").prefetch_related(
            citations_prefetch()
        )

    def for_detail(self) -> "FigureQuerySet":
        return self.for_list()

    def search(self, text: str) -> "FigureQuerySet":
        """Figures of the diseases the text finds (the site's disease search)."""
        hits = search.search(text, ["diseases.disease"])
        return self.filter(disease_id__in=[hit.object_id for hit in hits])

    def disagreeing(self) -> "FigureQuerySet":
        """Figures for which another figure of the same disease, measure,
        population and region exists: the disagreements to show side by side."""
        others = self.model.objects.filter(
            disease=OuterRef("disease"),
            measure=OuterRef("measure"),
            population=OuterRef("population"),
            region=OuterRef("region"),
        ).exclude(pk=OuterRef("pk"))
        return self.filter(Exists(others))
