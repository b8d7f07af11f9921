"""Who may see what: the one rule every public read goes through.

Readers who are not staff (the public, the anonymous API, every release and
download) see published records only, and no row that depends on an
unpublished one; editors and reviewers (staff) see drafts too, marked "not
public".

A row depends on the records its foreign keys lead to, and on what those
depend on in turn: a figure on its disease and study, a drug on its class, a
class on its parent class, an indication on its class or drug (and so on the
drug's class) and its disease. For the public a row is visible when it is
published (if it has a status) and every record it depends on is visible; an
empty optional end is fine. The dependencies are read from the models' foreign
keys, so a new model is covered without being named here. A model lists in
`visibility_ignores` the foreign keys that are not content (a retired
record's `merged_into`, which only the redirect reads, and checks itself).

Visibility is an argument, never hidden state: querysets take the reader in
`restrict(user)`, `for_list(user)` and `for_detail(user)` (NetBox's
`restrict(user, action)` is the model), and pass a `Visibility` to the reads
they compose, so a read that skips the rule is visible in review.
"""

from dataclasses import dataclass
from functools import cache

from django.db.models import F, Q, QuerySet

from kbframework.choices import Status

# How far a chain of one model's rows through itself (a drug class's parent's
# parent...) is followed: hierarchies deeper than this are not expected; a
# row deeper down is checked against its nearest ancestors only.
SELF_CHAIN_DEPTH = 4


def is_staff(user) -> bool:
    """Editors and reviewers: logged-in staff accounts."""
    return bool(user is not None and user.is_authenticated and user.is_staff)


def has_status(model) -> bool:
    """Curated records have a workflow status; vocabularies and sources do not."""
    return any(field.name == "status" for field in model._meta.concrete_fields)


def dependencies(model) -> list:
    """The foreign keys of a model whose ends a row depends on: all of them
    but those the model lists in `visibility_ignores`. (An end with neither
    a status nor dependencies of its own, a body system, adds no condition.)"""
    ignored = set(getattr(model, "visibility_ignores", ()))
    return [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and field.name not in ignored
    ]


def _public_condition(model) -> Q | None:
    """The condition (None: none) under which the public may see a row."""
    return _condition(model, "", (model,), 0)


@cache
def _condition(model, prefix: str, seen: tuple, self_steps: int) -> Q | None:
    """The condition on a row of `model` reached through `prefix` ("drug__"),
    `seen` the models on the way (a model is not followed twice, but for a
    chain through itself, `self_steps` long so far)."""
    condition = Q(**{f"{prefix}status": Status.PUBLISHED}) if has_status(model) else Q()
    found = has_status(model)
    for field in dependencies(model):
        target = field.related_model
        if target is model:
            if self_steps >= SELF_CHAIN_DEPTH:
                continue
            steps = self_steps + 1
        elif target in seen:
            continue
        else:
            steps = 0
        inner = _condition(target, f"{prefix}{field.name}__", (*seen, target), steps)
        if inner is None:
            continue
        if field.null:
            inner = Q(**{f"{prefix}{field.name}__isnull": True}) | inner
        condition &= inner
        found = True
    return condition if found else None


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
        """The rows of a queryset this reader may see: for the public, the
        published ones that depend on no unpublished record."""
        if not self.public:
            return queryset
        condition = _public_condition(queryset.model)
        return queryset if condition is None else queryset.filter(condition)

    def rows_sql(self, shape: str, rows, columns: dict, using: str) -> tuple:
        """(SQL, parameters) of the rows this reader may see of the queryset
        `rows()` builds, as `columns` (alias: field path), on database
        `using`, to be read as a subquery. `shape` names the query: its SQL
        is built and compiled by the ORM once per process (`rows` is called
        then only), since the rule depends on the models only. Building and
        compiling such reads is most of a cold answer's cost: related_to's
        seven at 2,000 diseases took about 55 ms in the ORM for 12 ms of SQL
        (a drug class's visibility joins its chain of parents)."""
        key = (shape, self.public, using, tuple(columns.items()))
        if key not in _COMPILED:
            visible = self.records(rows().using(using).order_by())
            fields = {name: F(path) for name, path in columns.items()}
            _COMPILED[key] = visible.values(**fields).query.sql_with_params()
        return _COMPILED[key]

    def condition(self, model, through: str = "") -> Q:
        """The rule for rows of `model` as a condition on rows reached
        through `through` (a body system's "disease_links", rows of
        DiseaseBodySystem): for counts that cannot start from the rows."""
        condition = _public_condition(model) if self.public else None
        if condition is None:
            return Q()
        if not through:
            return condition
        return _prefixed(condition, through)


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition, every lookup prefixed with `prefix__`."""
    children = [
        _prefixed(child, prefix)
        if isinstance(child, Q)
        else (f"{prefix}__{child[0]}", child[1])
        for child in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def was_published(record) -> bool:
    """Whether a record was ever published: reviewers date a record when they
    publish it, and its history keeps every status it had (a fixture load
    writes no history, but the fixtures carry the review date)."""
    if getattr(record, "reviewed_on", None) is not None:
        return True
    history = getattr(record, "history", None)
    return history is not None and history.filter(status=Status.PUBLISHED).exists()


def knows_of_retired(record, user) -> bool:
    """Whether this reader may learn that a retired record existed (its 301 or
    410): staff always; the public only for a record that was published once
    and whose ends it may still see (a record never published answers 404, as
    if it had never existed)."""
    visibility = Visibility.of(user)
    if not visibility.public:
        return True
    if not was_published(record):
        return False
    for field in dependencies(type(record)):
        end = getattr(record, field.name)
        if end is None:
            continue
        rows = type(end)._default_manager.filter(pk=end.pk)
        if not visibility.records(rows).exists():
            return False
    return True


PUBLIC = Visibility(public=True)
STAFF = Visibility(public=False)


# rows_sql's compiled reads, by shape, reader, database and columns.
_COMPILED: dict = {}


def placeholders(values) -> str:
    """ "%s, %s, ..." for the values of a raw SQL `IN (...)`."""
    return ", ".join(["%s"] * len(values))
