"""Diseases, symptoms, mechanisms, body systems and the links between them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from diseases.querysets import (
    BodySystemQuerySet,
    DiseaseQuerySet,
    MechanismQuerySet,
    SymptomQuerySet,
)
from kbframework.identifiers import Identifier, IdentifierSystem
from kbframework.models import (
    CitedLink,
    CuratedRecord,
    VersionedModel,
    Xref,
    validate_name_list,
)


class BodySystem(VersionedModel):
    """An organ or body system that a disease affects (joints, skin, liver...)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    objects = BodySystemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("body system")
        verbose_name_plural = _("body systems")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("diseases:bodysystem-detail", kwargs={"slug": self.slug})


class Disease(CuratedRecord):
    """A disease, a group of diseases, a subtype or a clinical condition."""

    class Kind(models.TextChoices):
        GROUP = "group", _("Group of diseases")
        DISEASE = "disease", _("Disease")
        SUBTYPE = "subtype", _("Subtype")
        CONDITION = "condition", _("Condition or outcome")

    name = models.CharField(_("name"), max_length=200, unique=True)
    abbreviations = models.JSONField(
        _("abbreviations"), default=list, blank=True, validators=[validate_name_list]
    )
    synonyms = models.JSONField(
        _("synonyms"), default=list, blank=True, validators=[validate_name_list]
    )
    former_names = models.JSONField(
        _("older names"), default=list, blank=True, validators=[validate_name_list]
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, db_index=True)
    summary = models.TextField(_("summary"), help_text=_("In the project's own words."))
    course_notes = models.TextField(
        _("course"), blank=True, help_text=_("How the disease runs: flares, remission.")
    )
    diagnosis_notes = models.TextField(_("diagnosis"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        help_text=_("For a retired record: the disease it was merged into."),
    )
    parents = models.ManyToManyField(
        "self",
        through="diseases.DiseaseMembership",
        through_fields=("member", "parent"),
        symmetrical=False,
        related_name="members",
        blank=True,
        verbose_name=_("parent groups"),
    )
    body_systems = models.ManyToManyField(
        BodySystem,
        through="diseases.DiseaseBodySystem",
        related_name="diseases",
        blank=True,
        verbose_name=_("body systems"),
    )
    symptoms = models.ManyToManyField(
        "diseases.Symptom",
        through="diseases.DiseaseSymptom",
        related_name="diseases",
        blank=True,
    )
    mechanisms = models.ManyToManyField(
        "diseases.Mechanism",
        through="diseases.DiseaseMechanism",
        related_name="diseases",
        blank=True,
    )

    # What get_absolute_url reads (for reads that load only what a link needs).
    url_fields = ("slug", "kind")

    # Where a retired record went is no content of it: only the redirect
    # reads it, and checks the target's visibility itself.
    visibility_ignores = ("merged_into",)

    objects = DiseaseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("disease")
        verbose_name_plural = _("diseases")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """Conditions and outcomes have their own pages (/conditions/...)."""
        name = "condition-detail" if self.is_outcome else "disease-detail"
        return reverse(f"diseases:{name}", kwargs={"slug": self.slug})

    @property
    def is_outcome(self) -> bool:
        return self.kind == self.Kind.CONDITION

    def choice_group(self) -> tuple[int, str]:
        """The heading a filter offers it under (kbframework.views.offer_choices):
        diseases first, conditions and outcomes last."""
        order = [self.Kind.DISEASE, self.Kind.SUBTYPE, self.Kind.GROUP]
        headings = {
            self.Kind.DISEASE: _("Diseases"),
            self.Kind.SUBTYPE: _("Subtypes"),
            self.Kind.GROUP: _("Groups of diseases"),
            self.Kind.CONDITION: _("Conditions and outcomes"),
        }
        return (
            order.index(self.kind) if self.kind in order else 9,
            headings[self.kind],
        )


class Symptom(CuratedRecord):
    """A symptom or manifestation, with its Human Phenotype Ontology term."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    synonyms = models.JSONField(
        _("synonyms"), default=list, blank=True, validators=[validate_name_list]
    )
    description = models.TextField(_("description"), blank=True)
    hpo_id = models.CharField(
        _("HPO id"),
        max_length=12,
        blank=True,
        help_text=_("Only from the verified reference table; blank if none."),
    )
    hpo_label = models.CharField(_("HPO term"), max_length=120, blank=True)

    objects = SymptomQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("symptom")
        verbose_name_plural = _("symptoms")
        constraints = [
            models.UniqueConstraint(
                fields=["hpo_id"],
                condition=~Q(hpo_id=""),
                name="%(app_label)s_%(class)s_unique_hpo_id",
            ),
            models.CheckConstraint(
                condition=Q(hpo_id="") | Q(hpo_id__startswith="HP:"),
                name="%(app_label)s_%(class)s_hpo_id_prefix",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("diseases:symptom-detail", kwargs={"slug": self.slug})

    def extra_search_terms(self) -> list[str]:
        """The HPO term is a name readers may search by ("Xerostomia")."""
        return [self.hpo_label]

    def identifiers(self) -> list[Identifier]:
        """Its HPO term, as an identifier (none when it has no term). The
        term is the symptom's own, so it is an exact match (as search takes
        it too)."""
        if not self.hpo_id:
            return []
        return [Identifier(IdentifierSystem.HP, self.hpo_id, self.hpo_label)]


class Mechanism(CuratedRecord):
    """A disease process, a cause or a risk factor."""

    class Kind(models.TextChoices):
        PROCESS = "process", _("Disease process")
        CAUSE = "cause", _("Cause")
        RISK_FACTOR = "risk-factor", _("Risk factor")

    name = models.CharField(_("name"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, db_index=True)
    synonyms = models.JSONField(
        _("synonyms"), default=list, blank=True, validators=[validate_name_list]
    )
    summary = models.TextField(_("summary"))

    objects = MechanismQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("diseases:mechanism-detail", kwargs={"slug": self.slug})


class DiseaseMembership(CitedLink):
    """A group includes a member (IBD includes Crohn's disease)."""

    parent = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="member_links"
    )
    member = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="parent_links"
    )

    natural_key_lookups = ("parent__slug", "member__slug")

    class Meta:
        ordering = ["parent__name", "member__name"]
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "member"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("member")),
                name="%(app_label)s_%(class)s_not_self",
            ),
        ]

    def __str__(self):
        return f"{self.parent} includes {self.member}"

    def clean(self):
        if self.parent_id and self.member_id:
            ancestors = {self.parent_id}
            frontier = {self.parent_id}
            while frontier:
                frontier = (
                    set(
                        DiseaseMembership.objects.filter(
                            member_id__in=frontier
                        ).values_list("parent_id", flat=True)
                    )
                    - ancestors
                )
                ancestors |= frontier
            if self.member_id in ancestors:
                raise ValidationError(_("This would make a group a member of itself."))


class DiseaseBodySystem(CitedLink):
    """A disease affects a body system."""

    disease = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="body_system_links"
    )
    body_system = models.ForeignKey(
        BodySystem, on_delete=models.PROTECT, related_name="disease_links"
    )

    natural_key_lookups = ("disease__slug", "body_system__slug")

    class Meta:
        ordering = ["disease__name", "body_system__name"]
        verbose_name = _("body system affected")
        verbose_name_plural = _("body systems affected")
        constraints = [
            models.UniqueConstraint(
                fields=["disease", "body_system"],
                name="%(app_label)s_%(class)s_unique",
            ),
        ]

    def __str__(self):
        return f"{self.disease}: {self.body_system}"


class DiseaseSymptom(CitedLink):
    """A disease (or group) shows a symptom, as often as the source words it."""

    class Frequency(models.TextChoices):
        VERY_COMMON = "very-common", _("very common")
        COMMON = "common", _("common")
        # "Some IMIDs cause hyperalgesia": some of a group's diseases, not
        # some patients, so the label claims neither.
        SOME = "some", _("in some cases")
        NOT_STATED = "", _("frequency not stated")

    disease = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="symptom_links"
    )
    symptom = models.ForeignKey(
        Symptom, on_delete=models.PROTECT, related_name="disease_links"
    )
    frequency = models.CharField(
        _("frequency"), max_length=12, choices=Frequency, blank=True
    )

    natural_key_lookups = ("disease__slug", "symptom__slug")

    class Meta:
        ordering = ["disease__name", "symptom__name"]
        verbose_name = _("disease symptom")
        verbose_name_plural = _("disease symptoms")
        constraints = [
            models.UniqueConstraint(
                fields=["disease", "symptom"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self):
        return f"{self.disease}: {self.symptom}"


class DiseaseMechanism(CitedLink):
    """A mechanism, cause or risk factor bears on a disease in a stated role."""

    class Role(models.TextChoices):
        DRIVES = "drives", _("drives the disease")
        BELIEVED_CAUSE = "believed-cause", _("believed cause")
        CAUSE = "cause", _("cause")
        RISK_FACTOR = "risk-factor", _("risk factor")
        SHARED = "shared", _("shared across the group")

    disease = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="mechanism_links"
    )
    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.PROTECT, related_name="disease_links"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role)

    natural_key_lookups = ("disease__slug", "mechanism__slug")

    class Meta:
        ordering = ["disease__name", "mechanism__name"]
        verbose_name = _("disease mechanism")
        verbose_name_plural = _("disease mechanisms")
        constraints = [
            models.UniqueConstraint(
                fields=["disease", "mechanism"],
                name="%(app_label)s_%(class)s_unique",
            ),
        ]

    def __str__(self):
        return f"{self.mechanism} ({self.get_role_display()}) {self.disease}"


class DiseaseRelation(CitedLink):
    """A directed relation between two diseases or conditions."""

    class Kind(models.TextChoices):
        INCREASES_RISK_OF = "increases-risk-of", _("increases the risk of")
        MAY_LEAD_TO = "may-lead-to", _("may lead to")

    subject = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="relations_out"
    )
    kind = models.CharField(_("relation"), max_length=20, choices=Kind)
    target = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="relations_in"
    )

    natural_key_lookups = ("subject__slug", "kind", "target__slug")

    class Meta:
        ordering = ["subject__name", "kind", "target__name"]
        verbose_name = _("disease relation")
        verbose_name_plural = _("disease relations")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "target"],
                name="%(app_label)s_%(class)s_unique",
            ),
            models.CheckConstraint(
                condition=~Q(subject=F("target")),
                name="%(app_label)s_%(class)s_not_self",
            ),
        ]

    def __str__(self):
        return f"{self.subject} {self.get_kind_display()} {self.target}"


class DiseaseXref(Xref):
    """An identifier of a disease in MONDO, DOID, ICD-10, MeSH and the like."""

    disease = models.ForeignKey(Disease, on_delete=models.CASCADE, related_name="xrefs")

    natural_key_lookups = ("disease__slug", "identifier")

    class Meta:
        ordering = ["disease__name", "system", "identifier"]
        verbose_name = _("disease identifier")
        verbose_name_plural = _("disease identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["disease", "identifier"],
                name="%(app_label)s_%(class)s_unique",
            ),
        ]

    def __str__(self):
        return self.identifier
