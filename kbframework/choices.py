"""Choices shared by every curated record."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


# Every status but published: what the public never sees.
UNPUBLISHED = [status for status in Status if status != Status.PUBLISHED]
