"""API representations of epidemiology figures and studies."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diseases.api.serializers import DiseaseBriefSerializer
from epidemiology.models import Figure, Study
from kbframework.api.fields import (
    ChoiceValueField,
    ExactDecimalField,
    SlugLinkField,
    StatedTextField,
)
from kbframework.api.serializers import BriefSerializer, CitationSerializer


def question_key(figure) -> str:
    """The question a figure answers, as a stable string: its disease,
    measure, population and region (epidemiology.disagreements.QUESTION)."""
    return "/".join(str(part) for part in answers_question(figure))


def answers_question(figure) -> tuple:
    disease = getattr(figure, "disease_slug", None) or figure.disease.slug
    return (disease, figure.measure, figure.population, figure.region)


class FigureListSerializer(serializers.ListSerializer):
    """Figures with, for each question they answer, every figure the reader
    may see that answers it too: one query for the whole list."""

    def to_representation(self, data):
        figures = list(data.all() if hasattr(data, "all") else data)
        self.child.prepare_rows(figures)
        return super().to_representation(figures)


def answers_of(figures: list, context: dict) -> dict:
    """question key -> [figure] of the visible figures of the diseases of
    `figures`, each read with what its link shows (slug, display value) and
    whether it is preferred, why (cached in the serializer context)."""
    cache = context.setdefault("figure_answers", {})
    diseases = {figure.disease_id for figure in figures} - cache.setdefault(
        "_diseases", set()
    )
    if diseases:
        request = context.get("request")
        user = None if context.get("for_release") else getattr(request, "user", None)
        rows = (
            Figure.objects.restrict(user)
            .filter(disease_id__in=sorted(diseases))
            .select_related("disease")
            .only(
                "slug",
                "disease__slug",
                "measure",
                "population",
                "region",
                "preferred",
                "preferred_reason",
                "value",
                "lower",
                "upper",
                "qualifier",
                "unit",
            )
            .order_by("slug")
        )
        for answer in rows:
            key = question_key(answer)
            cache.setdefault(key, []).append(answer)
        cache["_diseases"] |= diseases
    return cache


class FigureBriefSerializer(BriefSerializer):
    """A linked figure: slug, name (the figure as a reader should see it,
    "up to 50,000 people") and API URL."""

    name = serializers.CharField(source="display_value")
    url = SlugLinkField("figure-detail")


class StudyBriefSerializer(BriefSerializer):
    url = SlugLinkField("study-detail")


class DisagreementSerializer(serializers.Serializer):
    """The figures that answer one question, and the preferred one."""

    question = serializers.CharField()
    figures = FigureBriefSerializer(many=True, help_text="Every answer, this one too.")
    preferred = FigureBriefSerializer(
        allow_null=True,
        help_text="The answer curators prefer; null when they chose none.",
    )
    preferred_reason = StatedTextField(
        help_text="Why it is preferred; null when none is."
    )


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
    disease = DiseaseBriefSerializer(read_only=True)
    study = StudyBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The study that reports the figure; null when none is named.",
    )
    value = ExactDecimalField()
    lower = ExactDecimalField()
    upper = ExactDecimalField()
    qualifier = ChoiceValueField(
        Figure.Qualifier.choices,
        blank="unqualified",
        help_text="How the source qualifies the number: unqualified (stated "
        "as a plain number), approximately, roughly, estimated, up-to (an "
        "upper bound: `upper` holds it), more-than (a lower bound: `lower`).",
    )
    preferred_reason = StatedTextField(
        help_text="Why an editor prefers this figure; null when it is not "
        "preferred (no reason stated)."
    )
    display = serializers.CharField(source="display_value", read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    question = serializers.SerializerMethodField(
        help_text="The question the figure answers: disease/measure/population/"
        "region. Figures with the same question answer it differently (the "
        "sources disagree) or repeat it."
    )
    disagreement = serializers.SerializerMethodField(
        help_text="When other figures answer the same question: all of them "
        "(this one included), and the preferred one with why, if the curators "
        "chose one; null when the figure is the only answer."
    )
    # What the computed fields read (kbframework.api.selection): the figure's
    # own columns and its disease (joined); the other answers to its question
    # are a query of their own.
    field_reads = {"display": (), "question": ("disease",), "disagreement": ()}

    class Meta:
        model = Figure
        list_serializer_class = FigureListSerializer
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
            "question",
            "disagreement",
            "citations",
            "status",
            "updated",
        ]

    def prepare_rows(self, figures: list) -> None:
        """Read what a batch of rows needs at once (a list page, a table's
        CSV page or download chunk): the other answers to their questions,
        one query, unless `fields` leaves `disagreement` out."""
        if "disagreement" in self.fields:
            answers_of(figures, self.context)

    def get_question(self, figure) -> str:
        return question_key(figure)

    @extend_schema_field(DisagreementSerializer(allow_null=True))
    def get_disagreement(self, figure):
        key = question_key(figure)
        answers = answers_of([figure], self.context).get(key, [])
        if len(answers) < 2:
            return None
        preferred = [answer for answer in answers if answer.preferred]
        disagreement = {
            "question": key,
            "figures": answers,
            "preferred": preferred[0] if preferred else None,
            "preferred_reason": preferred[0].preferred_reason if preferred else None,
        }
        # One serializer for every figure's disagreement: building one per
        # figure (DRF copies its fields each time) was most of a list's time.
        serializer = getattr(self, "_disagreement", None)
        if serializer is None:
            serializer = self._disagreement = DisagreementSerializer(
                context=self.context
            )
        return serializer.to_representation(disagreement)


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
