"""Sparse fieldsets: `?fields=slug,name,identifiers` answers only the named
top-level fields of a list's rows, a detail or a whole-table download.

- The names a resource takes are its own top-level fields: a detail's, a
  list row's, and on lists and downloads its table's columns too
  (`citations` and, where records have them, `identifiers`: see
  kbframework.api.downloads), in the order the resource gives them.
  Nested objects are answered whole.
- Exactly the named fields are answered, in the resource's order, and in
  CSV exactly those columns (and the release). The key (`url`, `slug`,
  `id`) is a field like the others: it is there when it is named, not
  otherwise.
- `fields` takes one comma-separated value. Empty, an empty name, a name
  given twice, an unknown name or the parameter given twice is a 400 that
  names every field the resource has.
- A field left out costs nothing: it is not computed, and a prefetch that
  only the fields left out read is not run (`needed_prefetches`), so a
  selection never adds a query and often saves some.

Written here rather than taken from drf-flex-fields or django-restql: both
read the parameter inside each serializer (every serializer would have to
inherit their mixin), ignore unknown names and treat an empty value as
"everything", and know nothing of the table columns or of the prefetches a
field reads; what is needed is DRF's own documented pattern (dropping
fields from `serializer.fields`) plus the strict check and the prefetches.
"""

import functools

from django.db import models
from rest_framework import exceptions, serializers

FIELDS = "fields"
# A field that may read anything of its record (a method field whose
# serializer does not say what it reads, or a property): while one is
# selected, every prefetch is kept.
ANYTHING = None


@functools.cache
def field_names(serializer_class) -> tuple[str, ...]:
    """The top-level fields of `serializer_class`, in their order; they do
    not depend on the request (built without a context), so they are built
    once per class: building a ModelSerializer's fields copies and
    introspects every field, a few ms on every request that needs only
    their names."""
    return tuple(serializer_class(context={}).fields)


def parse(request, allowed: list[str]) -> list[str] | None:
    """The field names a request selects (None when it names none), checked
    against `allowed`; anything wrong is a 400 naming the allowed names."""
    values = request.query_params.getlist(FIELDS)
    if not values:
        return None
    listing = ", ".join(allowed)
    if len(values) > 1:
        problem = (
            f"Given {len(values)} times; it takes one comma-separated list of "
            f"field names (slug,name)"
        )
    else:
        names = values[0].split(",")
        unknown = [name for name in names if name and name not in allowed]
        twice = sorted({name for name in names if name and names.count(name) > 1})
        if not values[0]:
            problem = "Empty; name one or more fields, comma-separated"
        elif "" in names:
            problem = f"An empty field name in {values[0]!r}"
        elif unknown:
            problem = f"Unknown field {', '.join(unknown)}"
        elif twice:
            problem = f"Named twice: {', '.join(twice)}"
        else:
            return names
    raise exceptions.ValidationError({FIELDS: [f"{problem}; allowed: {listing}."]})


def select(serializer, names: list[str]) -> None:
    """Keep only the named top-level fields of a serializer (of a list
    serializer's rows); a table serializer keeps only the named columns."""
    rows = getattr(serializer, "child", serializer)
    for name in list(rows.fields):
        if name not in names:
            rows.fields.pop(name)
    if hasattr(serializer, "select_columns"):
        serializer.select_columns(names)


def declared_reads(serializer) -> dict[str, tuple[str, ...]]:
    """What a serializer says its computed fields read: `field_reads`, a
    mapping of field name to the relations (prefetch paths) it reads,
    merged along the class's bases."""
    reads = {}
    for klass in reversed(type(serializer).__mro__):
        reads.update(getattr(klass, "field_reads", {}))
    return reads


def relation_names(model) -> dict[str, bool]:
    """Each name a model's fields answer to (reverse relations by their
    accessor too) -> whether it is a relation."""
    names = {}
    for field in model._meta.get_fields():
        names[field.name] = field.is_relation
        if field.is_relation and field.auto_created and not field.concrete:
            names[field.get_accessor_name()] = True
    return names


def field_reads(field, model, declared: dict) -> set[str] | None:
    """The relations of its record a field reads, or ANYTHING."""
    if field.field_name in declared:
        return set(declared[field.field_name])
    if isinstance(field, serializers.SerializerMethodField):
        return ANYTHING
    if field.source == "*":
        # A link to the record itself reads its lookup field; anything else
        # given the whole record may read any of it.
        if isinstance(field, serializers.RelatedField):
            return set()
        return ANYTHING
    root = field.source.split(".")[0]
    names = relation_names(model)
    if root not in names:
        return ANYTHING  # a property or method of the model
    return {root} if names[root] else set()


def reads_of(serializer, model, names: list[str], extra: dict) -> set[str] | None:
    """The relations the named fields read: each field's own (`extra` gives
    those of columns that are not serializer fields), or ANYTHING."""
    rows = getattr(serializer, "child", serializer)
    declared = declared_reads(rows)
    reads = set()
    for name in names:
        if name in extra:
            found = set(extra[name])
        elif name in rows.fields:
            found = field_reads(rows.fields[name], model, declared)
        else:
            found = ANYTHING
        if found is ANYTHING:
            return ANYTHING
        reads |= found
    return reads


def lookup_path(lookup) -> str:
    return lookup.prefetch_to if isinstance(lookup, models.Prefetch) else lookup


def needed(path: str, reads: set[str]) -> bool:
    """A prefetch is needed by a field that reads it, a relation below it or
    one it leads to."""
    return any(
        path == read or path.startswith(read + "__") or read.startswith(path + "__")
        for read in reads
    )


def needed_prefetches(queryset: models.QuerySet, reads: set[str] | None):
    """The queryset without the prefetches no selected field reads."""
    if reads is ANYTHING:
        return queryset
    # Django keeps a queryset's prefetches in this attribute; prefetch_related
    # (None) clears them, and the ones kept are added back as they were.
    lookups = queryset._prefetch_related_lookups
    kept = [lookup for lookup in lookups if needed(lookup_path(lookup), reads)]
    if len(kept) == len(lookups):
        return queryset
    return queryset.prefetch_related(None).prefetch_related(*kept)


def openapi_parameter(allowed: list[str]):
    """The `fields` parameter as the schema documents it: exactly what
    `parse` accepts (one or more distinct names, comma-separated)."""
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        FIELDS,
        {
            "type": "array",
            "items": {"type": "string", "enum": list(allowed)},
            "minItems": 1,
            "uniqueItems": True,
        },
        OpenApiParameter.QUERY,
        style="form",
        explode=False,
        description=(
            "Answer only these top-level fields, comma-separated "
            "(fields=slug,name); in CSV, only these columns (and release). "
            "The key (url, slug, id) is answered only when named. Each name "
            "once; an unknown or empty name is a 400 naming the allowed ones. "
            "Without fields, every field; with it, a row or record has only "
            "the fields named, so the schema marks none of its fields required."
        ),
    )
