"""Serializer fields: exact decimals, links to records, choices and text
that may not be stated, and the one way a moment is written."""

import re
from datetime import UTC, datetime
from decimal import Decimal

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "nullable": True,
        "example": "0.7",
        "description": "Exactly as curated, as a decimal string (never a float).",
    }
)
class ExactDecimalField(serializers.Field):
    """A decimal as the curator wrote it: "700000", "0.7" (no padding zeros)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal | None):
        return None if value is None else format(value.normalize(), "f")


# A slug as records have them: what every detail route's lookup accepts
# (kbframework.api.viewsets: [-a-zA-Z0-9_]+) and reverse() writes unquoted.
PLAIN_SLUG = re.compile(r"[-a-z0-9]+")
PLACEHOLDER = "slug-placeholder-0"
# (resolver, script prefix, view name, URL keyword) -> (before, after) the
# slug in the reversed URL, or None when the route does not take the
# placeholder (reverse() then answers for each value).
_url_templates: dict[tuple, tuple[str, str] | None] = {}


def slug_reverse(view_name: str, kwarg: str, value) -> str:
    """reverse(view_name, kwargs={kwarg: value}), the same string, reversed
    once per route: a serialised list links to thousands of records, and
    reverse() matching the route each time was most of the time a release
    took. A value that is not a plain slug goes through reverse() itself."""
    if not (isinstance(value, str) and PLAIN_SLUG.fullmatch(value)):
        return django_reverse(view_name, kwargs={kwarg: value})
    # The resolver object (new whenever the URL caches are cleared) and the
    # script prefix (per request, from SCRIPT_NAME) are part of the key.
    key = (get_resolver(get_urlconf()), get_script_prefix(), view_name, kwarg)
    try:
        template = _url_templates[key]
    except KeyError:
        try:
            url = django_reverse(view_name, kwargs={kwarg: PLACEHOLDER})
        except NoReverseMatch:
            template = None
        else:
            parts = url.split(PLACEHOLDER)
            template = (parts[0], parts[1]) if len(parts) == 2 else None
        _url_templates[key] = template
    if template is None:
        return django_reverse(view_name, kwargs={kwarg: value})
    return f"{template[0]}{value}{template[1]}"


class SlugLinkField(serializers.HyperlinkedRelatedField):
    """The API URL of a record (by default the serialised object itself; pass
    source= for a linked one). Relative when serialised without a request, as
    in release files; absolute otherwise."""

    def __init__(self, view_name, lookup_field="slug", **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(view_name=view_name, lookup_field=lookup_field, **kwargs)

    def use_pk_only_optimization(self):
        return False

    def get_url(self, obj, view_name, request, format):
        # Plain reverse: DRF's would carry ?format=csv into every link.
        value = getattr(obj, self.lookup_field)
        url = slug_reverse(view_name, self.lookup_url_kwarg, value)
        return request.build_absolute_uri(url) if request is not None else url

    def to_representation(self, value):
        request = self.context.get("request")
        return self.get_url(value, self.view_name, request, None)


def utc_timestamp(value: datetime) -> str:
    """A moment as the API writes every one: ISO 8601 in UTC, ending in Z
    (2026-11-21T12:00:00Z), as DRF's DateTimeField writes it in UTC; for the
    outputs written without a serializer (a release's release.json)."""
    return serializers.DateTimeField(default_timezone=UTC).to_representation(value)


class ChoiceValueField(serializers.ChoiceField):
    """A model choice whose blank value ("") means something: in the API it
    is either null ("not stated", the default) or an explicit value (`blank`,
    e.g. a figure's qualifier "unqualified"), never "". The schema's enum
    then lists only values with a meaning of their own."""

    def __init__(self, choices, *, blank: str | None = None, **kwargs):
        self.blank = blank
        stated = [(value, label) for value, label in choices if value != ""]
        if blank is not None:
            blank_label = dict(choices).get("", blank)
            stated = [(blank, blank_label), *stated]
        else:
            kwargs["allow_null"] = True
        kwargs["read_only"] = True
        super().__init__(choices=stated, **kwargs)

    def to_representation(self, value):
        if value in ("", None):
            return self.blank
        return super().to_representation(value)


class StatedTextField(serializers.CharField):
    """Text that may not be stated: null when it is not, never ""."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)
