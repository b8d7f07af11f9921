"""Filter building blocks shared by every FilterSet (HTML pages and API)."""

import itertools
import re
from datetime import UTC, datetime

import django_filters
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from drf_spectacular.drainage import set_override

from kbframework.numbers import WholeNumberField


class PatternValidator(RegexValidator):
    """The whole value matches `pattern`, ASCII only (a trailing newline
    does not pass, as it would with ``$``): the schema gives the same pattern
    to clients (kbframework.api.schema)."""

    def __init__(self, pattern: str, message: str):
        super().__init__(re.compile(pattern, re.ASCII), message)
        self.pattern = pattern

    def __call__(self, value):
        if not self.regex.fullmatch(str(value)):
            raise ValidationError(self.message, code=self.code, params={"value": value})


class WholeNumberFilter(django_filters.NumberFilter):
    """A number filter that takes ASCII digits only (kbframework.numbers):
    full-width "2019" or "2e3" is a 400 naming the parameter, not a silent match."""

    field_class = WholeNumberField


def visible(label: str):
    """A callable queryset: the records of a model the requesting user may see."""
    model = apps.get_model(label)

    def queryset(request):
        return model.objects.restrict(getattr(request, "user", None))

    return queryset


def slug_filter(
    model_label: str, field_name: str, resource: str, help_text: str, **kwargs
) -> django_filters.ModelMultipleChoiceFilter:
    """Filter by the slug of a related record; repeat it to match any of several."""
    noun = apps.get_model(model_label)._meta.verbose_name
    description = (
        f"{help_text} Slug of a {noun} (see /api/v1/{resource}/); "
        "repeat the parameter to match any of several."
    )
    slug_filter = django_filters.ModelMultipleChoiceFilter(
        # django-filter compares field_name with the chosen record's to_field_name.
        field_name=f"{field_name}__slug",
        to_field_name="slug",
        queryset=kwargs.pop("queryset", visible(model_label)),
        label=kwargs.pop("label", str(noun).capitalize()),
        help_text=description,
        error_messages={
            "invalid_choice": f"“%(value)s” is not a known {noun} slug; "
            f"see /api/v1/{resource}/ for the allowed values.",
        },
        **kwargs,
    )
    # The schema generator cannot follow "...__slug" paths to a type.
    set_override(slug_filter, "field", {"type": "string", "description": description})
    return slug_filter


def choice_filter(
    choices, field_name: str, help_text: str, label: str = ""
) -> django_filters.MultipleChoiceFilter:
    """Filter by one of a fixed set of values; repeat it to match any of several."""
    values = ", ".join(str(value) for value, _label in choices if value != "")
    return django_filters.MultipleChoiceFilter(
        field_name=field_name,
        label=label or field_name.replace("_", " ").capitalize(),
        choices=[(v, text) for v, text in choices if v != ""],
        help_text=f"{help_text} One of: {values}; repeat to match any of several.",
        error_messages={
            "invalid_choice": f"“%(value)s” is not allowed; use one of: {values}.",
        },
    )


class TrueFalseFilter(django_filters.ChoiceFilter):
    """A ChoiceFilter of "true" and "false" (the schema calls it a boolean)."""


def boolean_filter(field_name: str, help_text: str) -> TrueFalseFilter:
    """true / false, strictly: any other value is a 400, never ignored."""

    def method(queryset, name, value):
        return queryset.filter(**{field_name: value == "true"})

    return TrueFalseFilter(
        label=field_name.replace("_", " ").capitalize(),
        choices=[("true", "true"), ("false", "false")],
        method=method,
        help_text=f"{help_text} true or false.",
        error_messages={
            "invalid_choice": "“%(value)s” is not allowed; use true or false."
        },
    )


def words_filter(queryset: QuerySet, fields: list[str], text: str) -> QuerySet:
    """Records where every word of text appears in one of the fields."""
    for word in text.split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


class RepeatableTextInput(forms.TextInput):
    """A text box whose value is every value the query string repeats
    (?identifier=A&identifier=B); the box shows them comma-separated."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return [] if value is None else [value]

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value if v) or None
        return super().format_value(value)


# The most values one repeatable parameter takes in one request (a batch
# lookup; StrictQueryParameters refuses more, the schema says maxItems).
MAX_VALUES = 500


class MultipleValuesField(forms.Field):
    """Every non-empty value given, as given (at most MAX_VALUES).

    Values are not stripped: " MONDO:0008383" is refused by an identifier's
    format rather than read as another value than the one sent, so that the
    schema's pattern is exactly what the server accepts."""

    widget = RepeatableTextInput
    max_values = MAX_VALUES

    def __init__(self, *args, max_length=None, **kwargs):
        self.max_length = max_length
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        cleaned = [str(v) for v in values if v is not None and str(v) != ""]
        if len(cleaned) > self.max_values:
            raise forms.ValidationError(
                f"At most {self.max_values} values in one request."
            )
        too_long = [v for v in cleaned if self.max_length and len(v) > self.max_length]
        if too_long:
            raise forms.ValidationError(
                f"A value may have at most {self.max_length} characters."
            )
        return cleaned

    def run_validators(self, value):
        """Each value on its own (an identifier's format, say)."""
        for item in value:
            super().run_validators(item)

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"])


class MultipleValuesFilter(django_filters.Filter):
    """A free-text filter that takes the parameter repeated, matching any of
    the values (a batch lookup: ?identifier=A&identifier=B)."""

    field_class = MultipleValuesField
    multi_valued = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The schema: a list of strings, each given as its own parameter.
        schema = {"type": "array", "items": {"type": "string", "maxLength": 120}}
        if self.extra.get("help_text"):
            schema["description"] = str(self.extra["help_text"])
        set_override(self, "field", schema)

    def filter(self, qs, value):
        # (With `method=`, django-filter calls the method with the list.)
        if not value:
            return qs
        return self.get_method(qs)(**{f"{self.field_name}__in": value}).distinct()


class HiddenRepeatableInput(forms.MultipleHiddenInput):
    """Nothing to see on a page's filter form unless given (a batch lookup
    made by a link or a script)."""


def slug_lookup_filter() -> MultipleValuesFilter:
    """`slug`: the records with these slugs (a batch lookup by natural key;
    repeat the parameter). Every record list has it."""
    return MultipleValuesFilter(
        field_name="slug",
        label="Slug",
        max_length=120,
        widget=HiddenRepeatableInput,
        help_text="The records with this slug; repeat the parameter to fetch "
        "several at once (at most 500).",
    )


class HiddenUnlessGiven(forms.HiddenInput):
    """A hidden input that a page's filter form leaves out when empty (so that
    submitting the form adds no empty parameter)."""

    def render(self, name, value, attrs=None, renderer=None):
        if value in (None, ""):
            return ""
        return super().render(name, value, attrs, renderer)


# RFC 3339's date-time (the OpenAPI "date-time" format), ASCII digits only:
# Python's fromisoformat() alone would also take a bare date, week dates and
# a missing offset, which the schema does not allow.
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)


class DateTimeField(forms.DateTimeField):
    """An RFC 3339 date and time with its offset, and nothing else: a
    malformed or out-of-range moment (a 13th month, a year before 1 once
    turned to UTC) is a 400 naming the parameter."""

    default_error_messages = {
        "invalid": "Enter a date and time with its offset, as RFC 3339 has "
        "it: 2026-11-21T12:00:00Z.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not _RFC3339.fullmatch(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        text = value.upper().replace("Z", "+00:00")
        # Fractions beyond microseconds are cut (fromisoformat takes at most 6).
        head, dot, rest = text.partition(".")
        if dot:
            digits = "".join(itertools.takewhile(str.isdigit, rest))
            text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
        try:
            return datetime.fromisoformat(text).astimezone(UTC)
        except (ValueError, OverflowError):
            raise ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None


class DateTimeFilter(django_filters.Filter):
    field_class = DateTimeField


def updated_since_filter() -> DateTimeFilter:
    """`updated_since`: the records changed at or after a moment, for an
    incremental sync (every record list whose records carry `updated`)."""
    return DateTimeFilter(
        field_name="updated",
        lookup_expr="gte",
        label="Updated since",
        widget=HiddenUnlessGiven,
        help_text="Records changed at or after this moment, an ISO 8601 date "
        "and time with its offset (2026-11-21T12:00:00Z): fetch what changed "
        "since your last sync. A record retired since is not listed: a "
        "release's changelog names what was retired.",
    )


def search_filter(help_text: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        label="Name",
        method="filter_search",
        max_length=200,
        # Counted as sent (the schema's maxLength); the search splits words.
        strip=False,
        help_text=help_text,
    )


def order_by_ids(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """Keep only the given records, in the given order (search relevance).

    The rank is an annotation, so it is selected and stays valid when a filter
    later adds DISTINCT (PostgreSQL requires ORDER BY terms to be selected).
    """
    if not ids:
        return queryset.none()
    rank = Case(
        *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)),
        output_field=IntegerField(),
    )
    return (
        queryset.filter(pk__in=ids)
        .annotate(search_rank=rank)
        .order_by("search_rank", "pk")
    )
