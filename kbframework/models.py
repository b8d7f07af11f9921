"""What every app shares: sources, citations, the curated-record and link
bases, and the derived state kept beside them (search index, data version,
releases)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kbframework.choices import Status
from kbframework.identifiers import IdentifierSystem, validate_identifier
from kbframework.querysets import CuratedQuerySet, NaturalKeyQuerySet, SourceQuerySet

__all__ = [
    "Citation",
    "CitedLink",
    "CuratedRecord",
    "DataVersion",
    "IdentifierSystem",
    "LoadedRecord",
    "NaturalKeyModel",
    "PublicDocument",
    "PublicDocumentRead",
    "Release",
    "Revision",
    "SearchKey",
    "SearchTerm",
    "Source",
    "Status",
    "VersionedModel",
    "Xref",
    "validate_name_list",
]


def validate_name_list(value) -> None:
    """A list of distinct, non-empty strings (synonyms, abbreviations, sections)."""
    if not isinstance(value, list):
        raise ValidationError(_("Enter a list of names."), code="not_a_list")
    seen = set()
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(
                _("Every entry must be a non-empty piece of text."), code="empty_name"
            )
        if item != item.strip():
            raise ValidationError(
                _("“%(name)s” has leading or trailing spaces."),
                code="untrimmed",
                params={"name": item},
            )
        if item.casefold() in seen:
            raise ValidationError(
                _("“%(name)s” is listed twice."),
                code="duplicate",
                params={"name": item},
            )
        seen.add(item.casefold())


class NaturalKeyModel(models.Model):
    """Abstract base giving a model a natural key built from natural_key_lookups.

    Each lookup is a field path ("slug", "disease__slug"); a link row's key is
    made of its ends' keys, so fixtures never carry primary keys. A path through
    an empty optional relation gives None, which get_by_natural_key matches with
    IS NULL.
    """

    natural_key_lookups: tuple[str, ...] = ("slug",)

    objects = NaturalKeyQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self) -> tuple:
        key = []
        for lookup in self.natural_key_lookups:
            value = self
            for part in lookup.split("__"):
                value = getattr(value, part)
                if value is None:
                    break
            key.append(value)
        return tuple(key)


class CuratedRecord(NaturalKeyModel):
    """Abstract base of every curated record: slug, workflow status, timestamps."""

    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Permanent key: the URL, the API id and the fixture key."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, db_index=True
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    retired_note = models.CharField(
        _("why retired"),
        max_length=300,
        blank=True,
        help_text=_("Shown to readers who follow an old link to a retired record."),
    )
    citations = models.ManyToManyField(
        "imidkb.Citation",
        blank=True,
        related_name="%(app_label)s_%(class)s_set",
        verbose_name=_("citations"),
    )

    objects = CuratedQuerySet.as_manager()
    history = HistoricalRecords(inherit=True, m2m_fields=["citations"])

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Fixture loads save with raw=True and never come through here, so the
        # curated timestamps and version in fixtures are kept as written.
        if self.pk is not None:
            self.version += 1
        self.updated = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class VersionedModel(NaturalKeyModel):
    """Abstract base of rows that are not records but are edited in the
    admin (links, sources, citations, body systems): a version counter, for
    no lost updates (kbframework.admin.VersionedForm)."""

    # Not part of the fixtures (serialize off), which hold what the sources
    # say, not how often a row was saved.
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, serialize=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Fixture loads save raw and never come through here.
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)


class CitedLink(VersionedModel):
    """Abstract base of a link between two records, cited like a record."""

    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("How the source qualifies the link, in the project's words."),
    )
    citations = models.ManyToManyField(
        "imidkb.Citation",
        blank=True,
        related_name="%(app_label)s_%(class)s_set",
        verbose_name=_("citations"),
    )

    history = HistoricalRecords(inherit=True, m2m_fields=["citations"])

    class Meta:
        abstract = True


class Source(VersionedModel):
    """One text or reference data set that the knowledge base is curated from."""

    class Kind(models.TextChoices):
        ENCYCLOPEDIA = "encyclopedia", _("Encyclopedia article")
        RESEARCH_PAGE = "research-page", _("Research consortium information page")
        QA_ARTICLE = "qa-article", _("Question-and-answer article")
        REFERENCE_SET = "reference-set", _("Reference data set")
        SYNTHETIC = "synthetic", _("Synthetic data for benchmarks (not curated)")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    url = models.URLField(_("URL"), blank=True)
    accessed_on = models.DateField(_("accessed on"), null=True, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the source is, in our words.")
    )
    sections = models.JSONField(
        _("sections"),
        default=list,
        blank=True,
        validators=[validate_name_list],
        help_text=_("The section headings a citation may name."),
    )

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "title", "slug"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:source-detail", kwargs={"slug": self.slug})


class Citation(VersionedModel):
    """A section of a source that supports one or more statements."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations"
    )
    section = models.CharField(_("section"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)

    natural_key_lookups = ("source__slug", "section")
    history = HistoricalRecords()

    class Meta:
        ordering = ["source__slug", "section"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "section"],
                name="%(app_label)s_%(class)s_unique_source_section",
            ),
        ]

    def __str__(self):
        return f"{self.source.title}, {self.section}"

    def clean(self):
        sections = self.source.sections if self.source_id else []
        if sections and self.section not in sections:
            raise ValidationError(
                {
                    "section": _("“%(section)s” is not a section of this source.")
                    % {"section": self.section}
                }
            )


class Xref(CitedLink):
    """Abstract base of an identifier in an external ontology or code system."""

    system = models.CharField(_("system"), max_length=10, choices=IdentifierSystem)
    identifier = models.CharField(_("identifier"), max_length=60)
    label = models.CharField(_("label in the system"), max_length=200, blank=True)
    exact = models.BooleanField(
        _("exact match"),
        default=True,
        help_text=_("Off for loose cross-references (e.g. Orphanet 'non rare')."),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.identifier

    def clean(self):
        validate_identifier(self.system, self.identifier)


class SearchTerm(models.Model):
    """One name a record is found by (its name, an abbreviation, a synonym...),
    or its summary, whose words it is also found by.

    Derived from the curated records and rebuilt from them; never curated.
    """

    label = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    text = models.TextField()
    normalized = models.TextField()
    field = models.CharField(max_length=20)

    class Meta:
        ordering = ["label", "object_id", "field", "text"]
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [models.Index(fields=["label", "object_id"])]

    def __str__(self):
        return self.text


class SearchKey(models.Model):
    """A lookup key for one word of a search term: the word itself or the word
    with one letter deleted (see kbframework.search)."""

    key = models.CharField(max_length=100, db_index=True)
    word = models.CharField(max_length=100)
    term = models.ForeignKey(SearchTerm, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        ordering = ["key"]
        verbose_name = _("search key")
        verbose_name_plural = _("search keys")

    def __str__(self):
        return self.key


class LoadedRecord(models.Model):
    """What the fixture files said of one record when it was last loaded
    from them or dumped to them: the base of loadkb's three-way comparison
    (kbframework.fixtures). Derived; never curated.
    """

    key = models.CharField(max_length=500, unique=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["key"]
        verbose_name = _("record as last loaded")
        verbose_name_plural = _("records as last loaded")

    def __str__(self):
        return self.key


class DataVersion(models.Model):
    """The knowledge base's version: a counter bumped by every curated write.

    One row. ETags, Last-Modified and release labels derive from it, so a
    published edit is visible to the very next request of every process.
    """

    number = models.PositiveBigIntegerField(default=0)
    changed = models.DateTimeField(default=timezone.now)
    release = models.PositiveIntegerField(
        default=0, help_text=_("Number of the latest release; 0 before the first.")
    )
    release_version = models.PositiveBigIntegerField(
        default=0, help_text=_("The data version the latest release was cut at.")
    )

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data version")
        permissions = [
            (
                "review_records",
                _("Can publish, send back and retire curated records"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="%(app_label)s_%(class)s_single_row"
            ),
        ]

    def __str__(self):
        return f"data version {self.number}"

    @property
    def release_label(self) -> str:
        """The release the live data reflects: "3" when it is exactly release
        3, "3+" when it has changed since, "none" before the first release."""
        if not self.release:
            return "none"
        if self.number == self.release_version:
            return str(self.release)
        return f"{self.release}+"

    @classmethod
    def current(cls) -> "DataVersion":
        """The row, read with one plain SQL statement.

        Every cached response is keyed on it, so it is read on every request:
        plain SQL skips the ORM's query compilation, which cost more than the
        rest of a cached hit (profiled).
        """
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT number, changed, release, release_version FROM {table} "
                "WHERE id = %s",
                [1],
            )
            row = cursor.fetchone()
        if row is None:
            return cls(pk=1, number=0, changed=timezone.now())
        number, changed, release, release_version = row
        if isinstance(changed, str):
            changed = parse_datetime(changed)
        if settings.USE_TZ and timezone.is_naive(changed):
            changed = timezone.make_aware(changed, connection.timezone)
        version = cls(
            pk=1,
            number=number,
            changed=changed,
            release=release,
            release_version=release_version,
        )
        version._state.adding = False
        version._state.db = connection.alias
        return version

    @classmethod
    def bump(cls, records=None) -> None:
        """Count a curated write. Its row stays locked until the write
        commits. Without `records` (the rows written, whose public documents
        the caller deletes: kbframework.signals), every public document is
        deleted (kbframework.readmodel)."""
        from kbframework import readmodel

        now = timezone.now()
        updated = cls.objects.filter(pk=1).update(
            number=models.F("number") + 1, changed=now
        )
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={"number": 1, "changed": now})
        if records is None:
            readmodel.clear()


class PublicDocument(models.Model):
    """The public answer at one record's address (its API detail, its page),
    as an anonymous reader is served it: the read model (kbframework.readmodel).

    Stored the first time it is asked for (or by `manage.py buildpublic`) and
    deleted, in the transaction of the write, by any write of a row it read
    (PublicDocumentRead). Derived; never curated.
    """

    # "<scheme> <path>": the scheme decides headers (HSTS), the path the rest.
    key = models.CharField(max_length=600, unique=True)
    # The body with the host it was asked on replaced by readmodel.HOST.
    body = models.BinaryField()
    # [name, value] pairs, without those each answer computes afresh.
    headers = models.JSONField(default=list)
    # SHA-256 of the body: the ETag's basis; `changed` moves only with it.
    digest = models.CharField(max_length=64)
    changed = models.DateTimeField(default=timezone.now)
    # Whether the answer carries the data version headers (an API answer).
    versioned = models.BooleanField(default=False)
    # The record at whose address it is ("app.model" and slug).
    label = models.CharField(max_length=60)
    slug = models.CharField(max_length=120)

    class Meta:
        indexes = [models.Index(fields=["label", "slug"])]
        verbose_name = _("public document")
        verbose_name_plural = _("public documents")

    def __str__(self):
        return self.key


class PublicDocumentRead(models.Model):
    """One row a public document was built from ("app.model", primary key)."""

    document = models.ForeignKey(
        PublicDocument, on_delete=models.CASCADE, related_name="reads"
    )
    label = models.CharField(max_length=60)
    object_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["label", "object_id"])]
        verbose_name = _("row read by a public document")
        verbose_name_plural = _("rows read by public documents")

    def __str__(self):
        return f"{self.label} {self.object_id}"


class Release(models.Model):
    """A numbered, dated snapshot of the published knowledge base.

    The downloads are stored in the database, so any app process behind a load
    balancer can serve them; their SHA-256 checksums let a researcher verify a
    copy. The manifest maps each record to a hash of its content and is what
    the changelog against the previous release is computed from.
    """

    number = models.PositiveIntegerField(unique=True)
    cut_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)
    data_version = models.PositiveBigIntegerField()
    counts = models.JSONField(default=dict)
    manifest = models.JSONField(default=dict)
    changelog = models.JSONField(default=dict)
    json_data = models.BinaryField()
    json_sha256 = models.CharField(max_length=64)
    csv_zip = models.BinaryField()
    csv_zip_sha256 = models.CharField(max_length=64)
    # The data package in the field's formats (imidkb.exports), frozen when
    # the release is cut; empty for a release cut before the exports existed
    # (they are then written from its frozen JSON the first time they are
    # asked for, and kept).
    exports_zip = models.BinaryField(default=b"", blank=True)
    exports_zip_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("data release")
        verbose_name_plural = _("data releases")

    def __str__(self):
        return f"Release {self.number} ({self.cut_at:%Y-%m-%d})"


class Revision(models.Model):
    """A proposed change to published content, waiting for a reviewer.

    An editor's edit of anything readers see (a published record, a row that
    hangs off one, a source, a citation, a body system) is not written: it
    becomes a revision (kbframework.revisions). `changes` holds, for every
    record the edit touched, the record with everything that hangs off it as
    it was (`base`) and as proposed (`data`), in the fixtures' natural-key
    form with each row's primary key beside it. Publishing applies `data`
    with the fixture loader; sending back leaves the published version as it
    is. Derived from the admin, never part of the fixtures.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("Published")
        SENT_BACK = "sent-back", _("Sent back")

    state = models.CharField(
        _("state"),
        max_length=12,
        choices=State,
        default=State.PENDING,
        db_index=True,
    )
    title = models.CharField(_("what it changes"), max_length=300)
    root_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    root_id = models.PositiveBigIntegerField()
    changes = models.JSONField(_("changes"))
    reason = models.CharField(_("why"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["root_type", "root_id", "state"])]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self):
        return f"Revision {self.pk}: {self.title}"
