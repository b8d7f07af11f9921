"""Drug classes, drugs, what they are used for and what they cost patients."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kbframework.models import CitedLink, CuratedRecord, Xref, validate_name_list
from treatments.querysets import DrugClassQuerySet, DrugQuerySet, ResponseNoteQuerySet


class DrugClass(CuratedRecord):
    """A class of drugs or therapies (TNF inhibitors, CAR-T cell therapy...)."""

    class Effect(models.TextChoices):
        SUPPRESSES = "suppresses", _("suppresses the immune response")
        STIMULATES = "stimulates", _("stimulates the immune response")
        MODULATES = "modulates", _("modulates (either way)")
        NOT_STATED = "", _("not stated")

    class Modality(models.TextChoices):
        SMALL_MOLECULE = "small-molecule", _("small molecule")
        BIOLOGIC = "biologic", _("biologic")
        CELL_THERAPY = "cell-therapy", _("cell therapy")
        NOT_STATED = "", _("not stated")

    class Development(models.TextChoices):
        ESTABLISHED = "established", _("established")
        INVESTIGATIONAL = "investigational", _("being researched")

    name = models.CharField(_("name"), max_length=160, unique=True)
    abbreviations = models.JSONField(
        _("abbreviations"), default=list, blank=True, validators=[validate_name_list]
    )
    synonyms = models.JSONField(
        _("synonyms"), default=list, blank=True, validators=[validate_name_list]
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent class"),
    )
    summary = models.TextField(_("summary"))
    mechanism_of_action = models.TextField(_("mechanism of action"), blank=True)
    effect = models.CharField(_("effect"), max_length=12, choices=Effect, blank=True)
    modality = models.CharField(
        _("modality"), max_length=16, choices=Modality, blank=True
    )
    development = models.CharField(
        _("development status"),
        max_length=16,
        choices=Development,
        default=Development.ESTABLISHED,
    )

    objects = DrugClassQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("drug class")
        verbose_name_plural = _("drug classes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("treatments:drugclass-detail", kwargs={"slug": self.slug})

    def clean(self):
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A class cannot sit below itself.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Drug(CuratedRecord):
    """A named drug, in one class, with its other names (ciclosporin/cyclosporine)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    synonyms = models.JSONField(
        _("synonyms"), default=list, blank=True, validators=[validate_name_list]
    )
    drug_class = models.ForeignKey(
        DrugClass,
        on_delete=models.PROTECT,
        related_name="drugs",
        verbose_name=_("drug class"),
    )
    summary = models.TextField(_("summary"), blank=True)

    objects = DrugQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("drug")
        verbose_name_plural = _("drugs")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("treatments:drug-detail", kwargs={"slug": self.slug})


def preferred_flag() -> models.BooleanField:
    """The `preferred` field of a drug or drug-class identifier."""
    return models.BooleanField(
        _("preferred"),
        default=False,
        help_text=_("The code to show first, e.g. the systemic L04 ATC code."),
    )


def owned_xref_constraints(owner: str) -> list:
    """The rules of an identifier owned by a drug or a drug class: one row per
    identifier, at most one preferred code per system."""
    return [
        models.UniqueConstraint(
            fields=[owner, "identifier"], name="%(app_label)s_%(class)s_unique"
        ),
        models.UniqueConstraint(
            fields=[owner, "system"],
            condition=Q(preferred=True),
            name="%(app_label)s_%(class)s_one_preferred_per_system",
        ),
    ]


class DrugClassXref(Xref):
    """An identifier of a drug class (an ATC group, a ChEBI role)."""

    drug_class = models.ForeignKey(
        DrugClass, on_delete=models.CASCADE, related_name="xrefs"
    )
    preferred = preferred_flag()

    natural_key_lookups = ("drug_class__slug", "identifier")

    class Meta:
        ordering = ["drug_class__name", "system", "-preferred", "identifier"]
        verbose_name = _("drug class identifier")
        verbose_name_plural = _("drug class identifiers")
        constraints = owned_xref_constraints("drug_class")

    def __str__(self):
        return self.identifier


class DrugXref(Xref):
    """An identifier of a drug (ATC codes for each use, ChEBI)."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="xrefs")
    preferred = preferred_flag()

    natural_key_lookups = ("drug__slug", "identifier")

    class Meta:
        ordering = ["drug__name", "system", "-preferred", "identifier"]
        verbose_name = _("drug identifier")
        verbose_name_plural = _("drug identifiers")
        constraints = owned_xref_constraints("drug")

    def __str__(self):
        return self.identifier


class Indication(CitedLink):
    """A drug class or a drug is used to treat or prevent a disease or condition."""

    class Purpose(models.TextChoices):
        TREAT = "treat", _("treats")
        PREVENT = "prevent", _("prevents")
        RESEARCH = "research", _("being researched for")

    drug_class = models.ForeignKey(
        DrugClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indications",
    )
    drug = models.ForeignKey(
        Drug,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indications",
    )
    disease = models.ForeignKey(
        "diseases.Disease", on_delete=models.PROTECT, related_name="indications"
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose)

    natural_key_lookups = ("drug_class__slug", "drug__slug", "disease__slug")

    class Meta:
        ordering = ["drug_class__name", "drug__name", "disease__name"]
        verbose_name = _("indication")
        verbose_name_plural = _("indications")
        constraints = [
            models.CheckConstraint(
                condition=Q(drug_class__isnull=False, drug__isnull=True)
                | Q(drug_class__isnull=True, drug__isnull=False),
                name="%(app_label)s_%(class)s_class_or_drug",
            ),
            models.UniqueConstraint(
                fields=["drug_class", "disease"],
                condition=Q(drug__isnull=True),
                name="%(app_label)s_%(class)s_unique_class",
            ),
            models.UniqueConstraint(
                fields=["drug", "disease"],
                condition=Q(drug_class__isnull=True),
                name="%(app_label)s_%(class)s_unique_drug",
            ),
        ]

    def __str__(self):
        return f"{self.drug_class or self.drug} {self.get_purpose_display()} " + str(
            self.disease
        )

    def clean(self):
        if (self.drug_class_id is None) == (self.drug_id is None):
            raise ValidationError(_("Name either a drug class or a drug, not both."))


class AdverseEffect(CitedLink):
    """An unwanted effect of a drug class: a symptom or a condition it risks."""

    class Frequency(models.TextChoices):
        COMMON = "common", _("common")
        # The source words it "more serious"; it says nothing of how often.
        SERIOUS = "serious", _("more serious")
        NOT_STATED = "", _("frequency not stated")

    drug_class = models.ForeignKey(
        DrugClass, on_delete=models.CASCADE, related_name="adverse_effects"
    )
    symptom = models.ForeignKey(
        "diseases.Symptom",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adverse_effect_links",
    )
    condition = models.ForeignKey(
        "diseases.Disease",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adverse_effect_links",
        help_text=_("A condition whose risk the drugs raise (infections, cancer)."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency, blank=True
    )
    increased_risk = models.BooleanField(
        _("raises the risk"),
        default=False,
        help_text=_("The source speaks of a higher risk, not of the effect itself."),
    )

    natural_key_lookups = ("drug_class__slug", "symptom__slug", "condition__slug")

    class Meta:
        ordering = ["drug_class__name", "symptom__name", "condition__name"]
        verbose_name = _("adverse effect")
        verbose_name_plural = _("adverse effects")
        constraints = [
            models.CheckConstraint(
                condition=Q(symptom__isnull=False, condition__isnull=True)
                | Q(symptom__isnull=True, condition__isnull=False),
                name="%(app_label)s_%(class)s_symptom_or_condition",
            ),
            models.UniqueConstraint(
                fields=["drug_class", "symptom"],
                condition=Q(condition__isnull=True),
                name="%(app_label)s_%(class)s_unique_symptom",
            ),
            models.UniqueConstraint(
                fields=["drug_class", "condition"],
                condition=Q(symptom__isnull=True),
                name="%(app_label)s_%(class)s_unique_condition",
            ),
        ]

    def __str__(self):
        return f"{self.drug_class}: {self.symptom or self.condition}"

    def clean(self):
        if (self.symptom_id is None) == (self.condition_id is None):
            raise ValidationError(_("Name either a symptom or a condition, not both."))


class ResponseNote(CuratedRecord):
    """What the sources say about how well treatment works: non-response,
    intolerance, resistance over time, timing."""

    class Kind(models.TextChoices):
        NON_RESPONSE = "non-response", _("no or inadequate response")
        INTOLERANCE = "intolerance", _("intolerance or side effects")
        RESISTANCE = "resistance", _("resistance over time")
        UNPREDICTABLE = "unpredictable", _("response cannot be predicted")
        TIMING = "timing", _("timing of treatment")
        BENEFIT = "benefit", _("benefit")

    disease = models.ForeignKey(
        "diseases.Disease", on_delete=models.PROTECT, related_name="response_notes"
    )
    drug_class = models.ForeignKey(
        DrugClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response_notes",
        help_text=_("Blank when the source speaks of treatment in general."),
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind)
    summary = models.TextField(_("summary"))

    objects = ResponseNoteQuerySet.as_manager()

    class Meta:
        ordering = ["disease__name", "kind", "slug"]
        verbose_name = _("treatment-response note")
        verbose_name_plural = _("treatment-response notes")

    def __str__(self):
        return f"{self.disease}: {self.get_kind_display()}"
