"""Reads shared by every curated model.

Every public read starts from the reader: `restrict(user)` for the rows,
`for_list(user)` and `for_detail(user)` for the rows with what a list row or a
detail shows, links to records the reader may not see left out (see
kbframework.visibility).
"""

from django.db import models
from django.db.models import Prefetch

from kbframework.choices import Status
from kbframework.visibility import Visibility


def citations_prefetch(lookup: str = "citations") -> Prefetch:
    """Prefetch a record's citations with their sources, in a stable order."""
    from kbframework.models import Citation

    return Prefetch(lookup, queryset=Citation.objects.select_related("source"))


class NaturalKeyQuerySet(models.QuerySet):
    """Looks a row up by its natural key, as the model's natural_key_lookups
    say; reads restricted to what a reader may see."""

    def get_by_natural_key(self, *key):
        lookups = self.model.natural_key_lookups
        return self.get(**dict(zip(lookups, key, strict=True)))

    def restrict(self, user) -> "NaturalKeyQuerySet":
        """The rows this user may see (published ones for the public)."""
        return Visibility.of(user).records(self)

    def for_list(self, user) -> "NaturalKeyQuerySet":
        """The rows this user may see, with what a list row shows."""
        return self.restrict(user)

    def for_detail(self, user) -> "NaturalKeyQuerySet":
        """The rows this user may see, with everything their detail shows."""
        return self.for_list(user)


class CuratedQuerySet(NaturalKeyQuerySet):
    """Reads shared by every curated record."""

    def published(self) -> "CuratedQuerySet":
        return self.filter(status=Status.PUBLISHED)


class NamedRecordQuerySet(CuratedQuerySet):
    """Curated records found by name, abbreviation or synonym."""

    def search(self, text: str) -> "NamedRecordQuerySet":
        """Matching records, best match first (see kbframework.search)."""
        from kbframework import search
        from kbframework.filters import order_by_ids

        hits = search.search(text, [self.model._meta.label_lower])
        return order_by_ids(self, [hit.object_id for hit in hits])


class SourceQuerySet(NaturalKeyQuerySet):
    """Sources are always public: they are what the public checks statements
    against."""

    def for_detail(self, user) -> "SourceQuerySet":
        return self.restrict(user).prefetch_related("citations")

    def search(self, text: str) -> "SourceQuerySet":
        from kbframework.filters import words_filter

        return words_filter(self, ["title", "publisher", "description"], text)
