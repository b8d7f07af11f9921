"""Choices shared by every curated record."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


# Every status but published: what the public never sees.
UNPUBLISHED = [status for status in Status if status != Status.PUBLISHED]


# (choices class, language) -> {value: label as text}.
_labels: dict[tuple, dict[str, str]] = {}


def choice_label(choices: type[models.Choices], value) -> str:
    """What get_FOO_display() answers for a field with these choices: the
    value's label in the active language, the value itself when it is not
    one of them. The labels are translated once per language, not on each
    call (get_FOO_display() translates every label of the field to find
    one: most of the time a figure's display took)."""
    key = (choices, get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = _labels[key] = {
            choice: str(label) for choice, label in choices.choices
        }
    return labels.get(value, value)
