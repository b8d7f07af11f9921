"""Serializer fields: exact decimals and links to records."""

from decimal import Decimal

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
        kwargs = {self.lookup_url_kwarg: getattr(obj, self.lookup_field)}
        url = django_reverse(view_name, kwargs=kwargs)
        return request.build_absolute_uri(url) if request is not None else url

    def to_representation(self, value):
        request = self.context.get("request")
        return self.get_url(value, self.view_name, request, None)
