"""Reads of epidemiology figures and studies.

Each read takes the reader (`user`): see kbframework.visibility.
"""

from django.db.models import Exists, OuterRef, Prefetch

from epidemiology.disagreements import QUESTION
from kbframework import search
from kbframework.filters import words_filter
from kbframework.querysets import CuratedQuerySet, citations_prefetch
from kbframework.visibility import Visibility


class StudyQuerySet(CuratedQuerySet):
    def search(self, text: str) -> "StudyQuerySet":
        return words_filter(self, ["name", "summary"], text)

    def for_detail(self, user) -> "StudyQuerySet":
        from epidemiology.models import Figure

        figures = Visibility.of(user).records(Figure.objects.all())
        return self.restrict(user).prefetch_related(
            citations_prefetch(),
            Prefetch(
                "figures",
                queryset=figures.select_related("disease").prefetch_related(
                    citations_prefetch()
                ),
            ),
        )


class FigureQuerySet(CuratedQuerySet):
    def for_list(self, user) -> "FigureQuerySet":
        return (
            self.restrict(user)
            .select_related("disease", "study")
            .prefetch_related(citations_prefetch())
        )

    def search(self, text: str) -> "FigureQuerySet":
        """Figures of the diseases the text finds (the site's disease search)."""
        hits = search.search(text, ["diseases.disease"])
        return self.filter(disease_id__in=[hit.object_id for hit in hits])

    def disagreeing(self) -> "FigureQuerySet":
        """Figures for which another figure answers the same question (see
        epidemiology.disagreements): the disagreements to show side by side."""
        others = self.model.objects.filter(
            **{field: OuterRef(field) for field in QUESTION}
        ).exclude(pk=OuterRef("pk"))
        return self.filter(Exists(others))
