"""Who may see what: the one rule every public read goes through.

Readers who are not staff (the public, the anonymous API, every release and
download) see published records only, and no link that leads to an unpublished
one; editors and reviewers (staff) see drafts too, marked "not public".

Visibility is an argument, never hidden state: querysets take the reader in
`restrict(user)`, `for_list(user)` and `for_detail(user)` (NetBox's
`restrict(user, action)` is the model), and pass a `Visibility` to the reads
they compose, so a read that skips the rule is visible in review.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from kbframework.choices import UNPUBLISHED, Status


def is_staff(user) -> bool:
    """Editors and reviewers: logged-in staff accounts."""
    return bool(user is not None and user.is_authenticated and user.is_staff)


def has_status(model) -> bool:
    """Curated records have a workflow status; vocabularies and sources do not."""
    return any(field.name == "status" for field in model._meta.concrete_fields)


@dataclass(frozen=True)
class Visibility:
    """What one reader may see. `public` readers see published records only."""

    public: bool

    @classmethod
    def of(cls, user) -> "Visibility":
        """The visibility of a user; None (a release, a script) is the public."""
        if isinstance(user, Visibility):
            return user
        return cls(public=not is_staff(user))

    def records(self, queryset: QuerySet) -> QuerySet:
        """The rows of a queryset this reader may see."""
        if self.public and has_status(queryset.model):
            return queryset.filter(status=Status.PUBLISHED)
        return queryset

    def links(self, queryset: QuerySet, *ends: str) -> QuerySet:
        """Link rows whose (required) ends this reader may see."""
        if not self.public:
            return queryset
        for end in ends:
            queryset = queryset.filter(**{f"{end}__status": Status.PUBLISHED})
        return queryset

    def optional_links(self, queryset: QuerySet, *ends: str) -> QuerySet:
        """Link rows without an unpublished record at optional (nullable) ends:
        an empty end is kept, an unpublished one is not."""
        if not self.public:
            return queryset
        for end in ends:
            queryset = queryset.exclude(**{f"{end}__status__in": UNPUBLISHED})
        return queryset


PUBLIC = Visibility(public=True)
STAFF = Visibility(public=False)
