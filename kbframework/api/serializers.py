"""Serializers every resource shares: citations, linked records, errors."""

from rest_framework import serializers


class CitationSerializer(serializers.Serializer):
    """Where a statement comes from: a source (by slug) and its section."""

    source = serializers.CharField(source="source.slug")
    section = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    error = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400: each offending parameter and what is wrong with it.",
    )


class BriefSerializer(serializers.Serializer):
    """A linked record: slug, name and API URL."""

    # (Subclasses add the `url` field of their kind of record.)

    slug = serializers.CharField()
    name = serializers.CharField()
