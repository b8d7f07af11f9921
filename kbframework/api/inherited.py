"""What is stated for the records above a record, in the API: a disease's
groups at every level, a drug's class and the classes above it
(kbframework.inheritance reads them).

Each record above comes as one object: the record ({slug, name, url}), the
`path` from the record whose detail is served up to it, and what the
sources state for it, in the same shapes as the record's own facts. Nothing
is copied into the record's own fields: an item is only ever under the
record it is stated for.

`StatedForSerializer` is the base of one such object (the apps declare
their facts' fields); with many=True every nested list (the groups'
symptoms, figures...) is serialised in one call for all the records above,
so that what a list serialiser reads once per call (the figures' other
answers) is read once, not once per group.
"""

from dataclasses import dataclass

from django.urls import reverse as django_reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kbframework.api.serializers import BriefSerializer
from kbframework.inheritance import Above


@dataclass(frozen=True)
class StatedAbove:
    """A record above `subject` (the record served), with the records
    between them (`above.path`, nearest first)."""

    subject: object
    above: Above

    @property
    def path(self) -> list:
        return [self.subject, *self.above.path, self.above.record]


def stated_above(subject, above: list[Above]) -> list[StatedAbove]:
    return [StatedAbove(subject, item) for item in above]


class PathLinkSerializer(BriefSerializer):
    """One record on the way up: slug, name and API URL."""

    url = serializers.SerializerMethodField()

    def get_url(self, record) -> str:
        name = f"{record._meta.model_name}-detail"
        url = django_reverse(name, kwargs={"slug": record.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class StatedForListSerializer(serializers.ListSerializer):
    """Records above, each nested list serialised in one call for all."""

    def to_representation(self, data):
        items = list(data)
        nested = {
            name: field
            for name, field in self.child.fields.items()
            if isinstance(field, serializers.ListSerializer)
        }
        rows = [self.child.to_representation(item, batched=nested) for item in items]
        for name, field in nested.items():
            parts = []
            for item in items:
                value = field.get_attribute(item)
                parts.append(list(value.all() if hasattr(value, "all") else value))
            flat = field.to_representation([row for part in parts for row in part])
            start = 0
            for row, part in zip(rows, parts, strict=True):
                row[name] = list(flat[start : start + len(part)])
                start += len(part)
        return rows


class StatedForSerializer(serializers.Serializer):
    """A record above the record served: subclasses name the record's field
    (`group`, `drug_class`) and the facts stated for it, with sources under
    `above.record`."""

    path = serializers.SerializerMethodField(
        help_text="The way up from the record served to this one, both "
        "included, each as {slug, name, url}: Crohn's disease, Inflammatory "
        "bowel disease, Autoimmune diseases; Ciclosporin, Calcineurin "
        "inhibitors, Immunosuppressants."
    )

    class Meta:
        list_serializer_class = StatedForListSerializer

    def get_fields(self):
        # The record above first (a subclass's first field), then its path.
        fields = super().get_fields()
        path = fields.pop("path")
        record, *rest = fields.items()
        return dict([record, ("path", path), *rest])

    def to_representation(self, instance, batched=()):
        """Its fields; those in `batched` are left empty here and filled in
        by the list serialiser (StatedForListSerializer)."""
        result = {}
        for field in self._readable_fields:
            if field.field_name in batched:
                result[field.field_name] = []
                continue
            attribute = field.get_attribute(instance)
            result[field.field_name] = (
                None if attribute is None else field.to_representation(attribute)
            )
        return result

    @extend_schema_field(PathLinkSerializer(many=True))
    def get_path(self, item: StatedAbove):
        return PathLinkSerializer(item.path, many=True, context=self.context).data
