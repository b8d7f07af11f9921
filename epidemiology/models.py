"""How common the diseases are: figures exactly as the sources state them."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from epidemiology.querysets import FigureQuerySet, StudyQuerySet
from kbframework.choices import choice_label
from kbframework.models import CuratedRecord


class Study(CuratedRecord):
    """A named study that reports several figures (the 2019 split of new cases)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_(
            "The date the source gives the study; not the period its figures cover."
        ),
    )
    summary = models.TextField(_("summary"))

    objects = StudyQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("epidemiology:study-detail", kwargs={"slug": self.slug})


class Figure(CuratedRecord):
    """One epidemiological number, with its qualifier, bounds, unit, population,
    region and period, exactly as one source states it.

    A figure has a point value, bounds, or both. "Up to 20,000" is stored as an
    upper bound with no value; "3-7 %" as two bounds; "roughly 700,000" as a
    value qualified "roughly". Nothing is rounded or rescaled.
    """

    class Measure(models.TextChoices):
        PREVALENCE_COUNT = "prevalence-count", _("people affected (count)")
        PREVALENCE_PROPORTION = "prevalence-proportion", _("share of people affected")
        SHARE_OF_NEW_CASES = "share-of-new-cases", _("share of new cases")

    class Qualifier(models.TextChoices):
        EXACT = "", _("as stated, unqualified")
        APPROXIMATELY = "approximately", _("approximately")
        ROUGHLY = "roughly", _("roughly")
        ESTIMATED = "estimated", _("estimated")
        UP_TO = "up-to", _("up to")
        MORE_THAN = "more-than", _("more than")

    class Unit(models.TextChoices):
        PEOPLE = "people", _("people")
        PERCENT = "percent", _("per cent")

    class Population(models.TextChoices):
        GENERAL = "general", _("general population")
        ADULTS = "adults", _("adults")
        NEW_CASES = "new-cases", _("newly diagnosed cases")

    class Region(models.TextChoices):
        WORLD = "world", _("world")
        UNSPECIFIED = "unspecified", _("not stated")
        GB = "GB", _("United Kingdom")

    disease = models.ForeignKey(
        "diseases.Disease", on_delete=models.PROTECT, related_name="figures"
    )
    study = models.ForeignKey(
        Study,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
    )
    measure = models.CharField(_("measure"), max_length=24, choices=Measure)
    value = models.DecimalField(
        _("value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    lower = models.DecimalField(
        _("lower bound"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    upper = models.DecimalField(
        _("upper bound"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    qualifier = models.CharField(
        _("qualifier"), max_length=16, choices=Qualifier, blank=True
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit)
    population = models.CharField(_("population"), max_length=12, choices=Population)
    region = models.CharField(
        _("region"),
        max_length=12,
        choices=Region,
        help_text=_("ISO 3166-1 alpha-2 code, or world / not stated."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_(
            "The year (or first year) the figure describes, as the source states "
            "it; blank when not stated. A study's date is not a data year."
        ),
    )
    year_end = models.PositiveSmallIntegerField(
        _("last year of the period"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    preferred = models.BooleanField(_("preferred"), default=False)
    preferred_reason = models.CharField(_("why preferred"), max_length=300, blank=True)

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["disease__name", "measure", "region", "slug"]
        verbose_name = _("epidemiology figure")
        verbose_name_plural = _("epidemiology figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False)
                | Q(lower__isnull=False)
                | Q(upper__isnull=False),
                name="%(app_label)s_%(class)s_has_number",
            ),
            models.CheckConstraint(
                condition=Q(lower__isnull=True)
                | Q(value__isnull=True)
                | Q(lower__lte=F("value")),
                name="%(app_label)s_%(class)s_lower_le_value",
            ),
            models.CheckConstraint(
                condition=Q(upper__isnull=True)
                | Q(value__isnull=True)
                | Q(value__lte=F("upper")),
                name="%(app_label)s_%(class)s_value_le_upper",
            ),
            models.CheckConstraint(
                condition=Q(lower__isnull=True)
                | Q(upper__isnull=True)
                | Q(lower__lte=F("upper")),
                name="%(app_label)s_%(class)s_lower_le_upper",
            ),
            models.CheckConstraint(
                condition=(Q(value__isnull=True) | Q(value__gte=0))
                & (Q(lower__isnull=True) | Q(lower__gte=0))
                & (Q(upper__isnull=True) | Q(upper__gte=0)),
                name="%(app_label)s_%(class)s_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(unit="percent")
                | (
                    (Q(value__isnull=True) | Q(value__lte=100))
                    & (Q(lower__isnull=True) | Q(lower__lte=100))
                    & (Q(upper__isnull=True) | Q(upper__lte=100))
                ),
                name="%(app_label)s_%(class)s_percent_within_100",
            ),
            models.CheckConstraint(
                condition=~Q(qualifier="up-to")
                | Q(upper__isnull=False, value__isnull=True, lower__isnull=True),
                name="%(app_label)s_%(class)s_up_to_is_upper_bound",
            ),
            models.CheckConstraint(
                condition=~Q(qualifier="more-than")
                | Q(lower__isnull=False, value__isnull=True, upper__isnull=True),
                name="%(app_label)s_%(class)s_more_than_is_lower_bound",
            ),
            models.CheckConstraint(
                condition=Q(year_end__isnull=True)
                | Q(year__isnull=False, year_end__gte=F("year")),
                name="%(app_label)s_%(class)s_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(preferred=False) | ~Q(preferred_reason=""),
                name="%(app_label)s_%(class)s_preferred_has_reason",
            ),
            models.UniqueConstraint(
                fields=["disease", "measure", "population", "region"],
                condition=Q(preferred=True),
                name="%(app_label)s_%(class)s_one_preferred",
            ),
        ]

    def __str__(self):
        return f"{self.disease}: {self.display_value()} ({self.get_region_display()})"

    def clean(self):
        errors = {}
        numbers = {"value": self.value, "lower": self.lower, "upper": self.upper}
        if all(number is None for number in numbers.values()):
            errors["value"] = _("Give a value, a lower bound or an upper bound.")
        if any(number is not None and number < 0 for number in numbers.values()):
            errors["value"] = _("Figures cannot be negative.")
        if self.unit == self.Unit.PERCENT and any(
            number is not None and number > 100 for number in numbers.values()
        ):
            errors["unit"] = _("A percentage must lie between 0 and 100.")
        present = [n for n in (self.lower, self.value, self.upper) if n is not None]
        if present != sorted(present):
            errors["lower"] = _(
                "The bounds are inverted: lower ≤ value ≤ upper must hold."
            )
        if self.qualifier == self.Qualifier.UP_TO and (
            self.upper is None or self.value is not None or self.lower is not None
        ):
            errors["qualifier"] = _(
                "“Up to” is an upper bound: fill the upper bound only."
            )
        if self.qualifier == self.Qualifier.MORE_THAN and (
            self.lower is None or self.value is not None or self.upper is not None
        ):
            errors["qualifier"] = _(
                "“More than” is a lower bound: fill the lower bound only."
            )
        if self.year_end is not None and (
            self.year is None or self.year_end < self.year
        ):
            errors["year_end"] = _("The period must end after it starts.")
        if self.preferred and not self.preferred_reason.strip():
            errors["preferred_reason"] = _("Say why this figure is preferred.")
        expected_unit = {
            self.Measure.PREVALENCE_COUNT: self.Unit.PEOPLE,
            self.Measure.PREVALENCE_PROPORTION: self.Unit.PERCENT,
            self.Measure.SHARE_OF_NEW_CASES: self.Unit.PERCENT,
        }.get(self.measure)
        if expected_unit and self.unit and self.unit != expected_unit:
            errors["unit"] = _("This measure is given in %(unit)s.") % {
                "unit": expected_unit.label
            }
        if errors:
            raise ValidationError(errors)

    def display_value(self) -> str:
        """The number as a reader should see it: qualifier, bounds and unit."""
        # choice_label: get_FOO_display(), its labels translated once.
        unit = (
            "%"
            if self.unit == self.Unit.PERCENT
            else f" {choice_label(self.Unit, self.unit)}"
        )
        if self.value is not None:
            text = format_number(self.value)
            if self.lower is not None or self.upper is not None:
                text += f" ({format_range(self.lower, self.upper)})"
        else:
            text = format_range(self.lower, self.upper)
        qualifier = {
            self.Qualifier.UP_TO: "up to",
            self.Qualifier.MORE_THAN: "more than",
        }.get(
            self.qualifier,
            choice_label(self.Qualifier, self.qualifier) if self.qualifier else "",
        )
        return f"{qualifier} {text}{unit}".strip()


def format_number(number: Decimal) -> str:
    """Format a decimal with thousands separators and no trailing zeros."""
    text = format(number.normalize(), "f")
    whole, _sep, fraction = text.partition(".")
    grouped = f"{int(whole):,}"
    return f"{grouped}.{fraction}" if fraction else grouped


def format_range(lower: Decimal | None, upper: Decimal | None) -> str:
    if lower is not None and upper is not None:
        return f"{format_number(lower)}\u2013{format_number(upper)}"
    return format_number(lower if lower is not None else upper)
