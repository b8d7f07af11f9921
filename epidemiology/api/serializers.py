"""API representations of epidemiology figures and studies."""

from rest_framework import serializers

from epidemiology.models import Figure, Study
from kbframework.api.fields import ExactDecimalField, SlugLinkField
from kbframework.api.serializers import CitationSerializer


class FigureSerializer(serializers.ModelSerializer):
    """One figure exactly as its source states it.

    value, lower and upper are decimal strings as curated; "up to 50,000" has
    upper "50000" and no value. `display` is the figure as a reader should see
    it, qualifier and unit included.
    """

    # The slug is the figure's API id (its URL and fixture key, kept across
    # rebuilds); database ids shift when the knowledge base is reloaded and
    # are not part of the API (an old id URL answers 301 to the slug URL).
    id = serializers.SlugField(
        source="slug",
        read_only=True,
        help_text="The figure's API id: its permanent slug (the same as `slug`).",
    )
    url = SlugLinkField("figure-detail")
    disease = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    study = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    value = ExactDecimalField()
    lower = ExactDecimalField()
    upper = ExactDecimalField()
    display = serializers.CharField(source="display_value", read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Figure
        fields = [
            "id",
            "url",
            "slug",
            "disease",
            "measure",
            "value",
            "lower",
            "upper",
            "qualifier",
            "unit",
            "display",
            "population",
            "region",
            "year",
            "year_end",
            "study",
            "preferred",
            "preferred_reason",
            "note",
            "citations",
            "status",
            "updated",
        ]


class StudySerializer(serializers.ModelSerializer):
    url = SlugLinkField("study-detail")

    class Meta:
        model = Study
        fields = ["url", "slug", "name", "year", "summary", "status", "updated"]


class StudyDetailSerializer(StudySerializer):
    figures = FigureSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(StudySerializer.Meta):
        fields = [*StudySerializer.Meta.fields, "figures", "citations"]
