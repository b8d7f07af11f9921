"""Revisions: an editor's change to what readers see, held until a reviewer
publishes it.

The unit of review is a record with everything that hangs off it (its
bundle): a disease with its links, identifiers and notes; a source with its
citations. An edit an editor may not write directly (kbframework.curation)
is made in a savepoint, the bundles of every record it touched are read in
the fixtures' form (kbframework.fixtures.as_records, with each row's primary
key), the savepoint is rolled back, and a Revision keeps each bundle as it
was (`base`) and as proposed (`data`). Readers keep the published version.

`publish` checks that nothing changed since the proposal, then applies the
proposed rows with the fixture loader's own code (one serialization, not
two) in one transaction: one data-version change, history rows naming who
proposed, who published and why. `send_back` leaves the published version
untouched.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kbframework import fixtures, signals, workflow
from kbframework.registry import registry
from kbframework.visibility import has_status

# Fields a reviewer need not read in a diff: they move with every save.
UNREVIEWED_FIELDS = ("version", "updated", "created")


# ------------------------------------------------------------------ bundles


def owner_fields(model) -> list:
    """The foreign keys that may name the record a row hangs off, in order:
    the first one set names it. A model may declare `curation_owner` (the
    field of the record its rows are edited with); otherwise the foreign keys
    to records with a status, else to other curated rows (a citation hangs
    off its source)."""
    declared = getattr(model, "curation_owner", None)
    if declared:
        return [model._meta.get_field(declared)]
    keys = [
        f
        for f in model._meta.concrete_fields
        if f.many_to_one and registry.is_curated(f.remote_field.model)
    ]
    with_status = [f for f in keys if has_status(f.remote_field.model)]
    return with_status or keys


def is_root_model(model) -> bool:
    """Records with a status, and shared rows that hang off nothing (sources,
    body systems), are reviewed as a whole."""
    return has_status(model) or not owner_fields(model)


def root_of(instance):
    """The record an edit of this row is an edit of (None when that record
    is not stored yet)."""
    model = type(instance)
    if is_root_model(model):
        return instance
    for field_ in owner_fields(model):
        target_id = getattr(instance, field_.attname)
        if target_id is not None:
            target = field_.remote_field.model._base_manager.filter(pk=target_id)
            target = target.first()
            return None if target is None else root_of(target)
    return None


def bundle_rows(root) -> list:
    """The root and every stored row that hangs off it, in load order."""
    rows, frontier = [root], [root]
    hanging = [m for m in registry.curated_models() if not is_root_model(m)]
    while frontier:
        parent = frontier.pop(0)
        for model in hanging:
            query, earlier_unset = Q(), {}
            for field_ in owner_fields(model):
                if field_.remote_field.model is type(parent):
                    query |= Q(**earlier_unset, **{field_.attname: parent.pk})
                earlier_unset[f"{field_.attname}__isnull"] = True
            if not query:
                continue
            found = list(model._base_manager.filter(query).order_by("pk"))
            rows += found
            frontier += found
    order = {label: n for n, label in enumerate(registry.kb_labels())}
    return [
        rows[0],
        *sorted(rows[1:], key=lambda r: (order[r._meta.label_lower], r.pk)),
    ]


def bundle(root) -> list[dict]:
    """The root's bundle as fixture records, each with its primary key."""
    return fixtures.as_records(bundle_rows(root), with_pk=True)


def describe(root) -> str:
    return f"{type(root)._meta.verbose_name.capitalize()} “{root}”"


# ------------------------------------------------------------------ diffs


@dataclass
class RowDiff:
    """One row of a bundle, added, removed or changed."""

    kind: str  # "added", "removed", "changed"
    label: str  # the model's verbose name
    name: str  # the row's natural key, readably
    # (field label, old, new): each a list of (changed, text) segments
    fields: list[tuple[str, list, list]] = field(default_factory=list)


def _words(old: str, new: str) -> tuple[list, list]:
    """Both texts as (changed, text) segments, word by word, so that a
    reviewer sees which words of a long text an edit touches."""
    import difflib
    import re

    a, b = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    before, after = [], []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            before.append((changed, "".join(a[i1:i2])))
        if j2 > j1:
            after.append((changed, "".join(b[j1:j2])))
    return before, after


def _field_change(label: str, old, new) -> tuple:
    """(label, old segments, new segments) of one changed field."""
    old, new = _readable(old), _readable(new)
    if old != "—" and new != "—":
        return (label, *_words(old, new))
    return (label, [(True, old)], [(True, new)])


def _readable(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        if all(isinstance(v, list) for v in value):
            return "; ".join(" § ".join(str(p) for p in v) for v in value)
        return ", ".join(str(v) for v in value)
    return str(value)


def _row_name(record: dict) -> str:
    model = apps.get_model(record["model"])
    parts = []
    for lookup in getattr(model, "natural_key_lookups", ("slug",)):
        value = record["fields"].get(lookup.split("__")[0])
        if isinstance(value, list):
            value = " § ".join(str(v) for v in value)
        parts.append("—" if value in (None, "") else str(value))
    return " · ".join(parts)


def _identity(record: dict):
    if record.get("pk") is not None:
        return (record["model"], record["pk"])
    return (record["model"], "new", _row_name(record))


def diff(old: list[dict], new: list[dict]) -> list[RowDiff]:
    """Field by field, what turns bundle `old` into bundle `new`."""
    before = {_identity(r): r for r in old}
    after = {_identity(r): r for r in new}
    changes = []
    for key, record in after.items():
        model = apps.get_model(record["model"])
        label = str(model._meta.verbose_name)
        previous = before.get(key)
        if previous is None:
            changes.append(
                RowDiff(
                    "added",
                    label,
                    _row_name(record),
                    [
                        _field_change(_field_label(model, n), None, v)
                        for n, v in record["fields"].items()
                        if n not in UNREVIEWED_FIELDS and v not in (None, "", [])
                    ],
                )
            )
            continue
        fields = [
            _field_change(_field_label(model, n), previous["fields"].get(n), v)
            for n, v in record["fields"].items()
            if n not in UNREVIEWED_FIELDS and previous["fields"].get(n) != v
        ]
        if fields:
            changes.append(RowDiff("changed", label, _row_name(record), fields))
    for key, record in before.items():
        if key not in after:
            model = apps.get_model(record["model"])
            changes.append(
                RowDiff("removed", str(model._meta.verbose_name), _row_name(record))
            )
    return changes


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


# ------------------------------------------------------------------ proposing


class Proposal:
    """What one editor's request touched (kbframework.curation notes it)."""

    def __init__(self, user):
        self.user = user
        self.reviewed: dict = {}  # (model, pk) -> root needing review
        self.direct: list = []  # rows written directly (drafts), for their roots
        self.captured: dict = {}  # (model, pk) -> proposed bundle
        self.captured_direct: dict = {}  # (model, pk) -> bundle written
        self.reason = ""

    def needs_review(self, root) -> None:
        self.reviewed[(type(root), root.pk)] = root

    def wrote_directly(self, instance) -> None:
        self.direct.append(instance)

    def capture(self) -> None:
        """Read the proposed bundles (inside the savepoint, after the writes)."""
        for key, root in self.reviewed.items():
            current = type(root)._base_manager.filter(pk=root.pk).first()
            if current is not None:
                self.captured[key] = bundle(current)
        for instance in self.direct:
            root = root_of(instance) if instance.pk is not None else None
            if root is None or root.pk is None:
                continue
            key = (type(root), root.pk)
            if key not in self.reviewed and key not in self.captured_direct:
                self.captured_direct[key] = bundle(root)

    def store(self):
        """After the rollback: keep the proposal as a revision and re-apply
        the direct writes (to drafts) that the rollback undid. Returns None
        when nothing is left to review (the edit changed nothing)."""
        from kbframework.models import Revision

        roots = []
        for (model, pk), data in self.captured.items():
            root = model._base_manager.get(pk=pk)
            base = bundle(root)
            data = _mark_new_rows(data, base)
            if _reviewable(data) != _reviewable(base):
                roots.append(
                    {
                        "model": model._meta.label_lower,
                        "pk": pk,
                        "title": describe(root),
                        "base": base,
                        "data": data,
                    }
                )
        for (model, pk), data in self.captured_direct.items():
            root = model._base_manager.filter(pk=pk).first()
            rows = bundle_rows(root) if root is not None else []
            data = _mark_new_rows(data, fixtures.as_records(rows, with_pk=True))
            _apply_bundles(
                [data], current=[rows], user=self.user, reason="Edited in the admin"
            )
        if not roots:
            return None
        title = roots[0]["title"]
        if len(roots) > 1:
            title += f" and {len(roots) - 1} more record(s)"
        return Revision.objects.create(
            title=title[:300],
            root_type=ContentType.objects.get_for_model(
                apps.get_model(roots[0]["model"])
            ),
            root_id=roots[0]["pk"],
            changes={"roots": roots},
            reason=self.reason[:300],
            proposed_by=self.user,
        )


def _reviewable(records: list[dict]) -> list[dict]:
    """The records without the fields every save moves (version, updated):
    a save that changed nothing else is no change."""
    return [
        {
            **record,
            "fields": {
                k: v for k, v in record["fields"].items() if k not in UNREVIEWED_FIELDS
            },
        }
        for record in records
    ]


def _mark_new_rows(data: list[dict], base: list[dict]) -> list[dict]:
    """Rows of `data` not stored in `base` lose the primary key they had in
    the rolled-back savepoint: they are new, matched by natural key."""
    stored = {(r["model"], r["pk"]) for r in base}
    marked = []
    for record in data:
        record = dict(record)
        if (record["model"], record.get("pk")) not in stored:
            record.pop("pk", None)
        marked.append(record)
    return marked


def current_bundles(revision) -> list[list[dict]]:
    """Each root's bundle as stored now (empty when the root is gone)."""
    found = []
    for root in revision.changes["roots"]:
        instance = apps.get_model(root["model"])._base_manager.filter(pk=root["pk"])
        instance = instance.first()
        found.append(bundle(instance) if instance is not None else [])
    return found


def changed_since(revision) -> list[tuple[str, list[RowDiff]]]:
    """(root title, what changed) for roots stored differently from the
    version the revision was proposed against."""
    return [
        (root["title"], diff(root["base"], now))
        for root, now in zip(
            revision.changes["roots"], current_bundles(revision), strict=True
        )
        if now != root["base"]
    ]


def proposed_changes(revision) -> list[tuple[str, list[RowDiff]]]:
    return [
        (root["title"], diff(root["base"], root["data"]))
        for root in revision.changes["roots"]
    ]


# ------------------------------------------------------------------ reviewing


def _check_reviewer(user, revision) -> None:
    if not workflow.is_reviewer(user):
        raise PermissionDenied("Only reviewers may publish or send back a revision.")
    if revision.state != revision.State.PENDING:
        raise ValidationError(
            f"This revision is already {revision.get_state_display().lower()}."
        )


def _apply_bundles(datas, *, current, user, reason) -> dict:
    """Make the stored bundles (`current`, lists of rows) hold the rows of
    `datas`: rows no longer proposed are deleted, the rest written with the
    fixture loader."""
    wanted = {(r["model"], r.get("pk")) for data in datas for r in data}
    for rows in current:
        for row in reversed(rows[1:]):  # never a root itself
            if (row._meta.label_lower, row.pk) not in wanted:
                row._change_reason = reason[:100]
                row.delete()
    written = fixtures.apply_records([r for data in datas for r in data])
    fixtures.record_history(written, "default", reason=reason, user=user)
    return written


def publish(user, revision, comment: str = "") -> None:
    """Apply a pending revision, in one transaction; refuse (ValidationError,
    nothing written) if its records changed since it was proposed."""
    _check_reviewer(user, revision)
    with transaction.atomic():
        type(revision).objects.select_for_update().filter(pk=revision.pk).first()
        revision.refresh_from_db()
        _check_reviewer(user, revision)
        moved = changed_since(revision)
        if moved:
            raise ValidationError(
                "The published version changed after this revision was proposed, "
                "so publishing it would undo that change: "
                + "; ".join(
                    f"{title}: "
                    + ", ".join(f"{d.label} {d.name} {d.kind}" for d in diffs)
                    for title, diffs in moved
                )
                + ". Send it back so that the editor can make the change again "
                "on the current version."
            )
        proposer = revision.proposed_by or "an editor"
        reason = f"Revision {revision.pk} by {proposer}, published by {user}"
        if revision.reason:
            reason += f": {revision.reason}"
        roots = revision.changes["roots"]
        current = [
            bundle_rows(apps.get_model(r["model"])._base_manager.get(pk=r["pk"]))
            for r in roots
        ]
        with signals.bulk_write(trace=True):
            _apply_bundles(
                [r["data"] for r in roots], current=current, user=user, reason=reason
            )
            for r in roots:
                model = apps.get_model(r["model"])
                root = model._base_manager.get(pk=r["pk"])
                if has_status(model) and root.is_published:
                    problems = workflow.publication_problems(root)
                    if problems:
                        raise ValidationError(
                            [f"{describe(root)}: {p}" for p in problems]
                        )
                    model._base_manager.filter(pk=root.pk).update(
                        reviewed_on=timezone.localdate(), updated=timezone.now()
                    )
                    signals.mark_written(root)
        revision.state = revision.State.PUBLISHED
        revision.reviewed_by = user
        revision.reviewed_at = timezone.now()
        revision.review_comment = comment
        revision.save()


def send_back(user, revision, comment: str) -> None:
    """Refuse a pending revision with a comment; nothing published changes."""
    _check_reviewer(user, revision)
    if not comment.strip():
        raise ValidationError("Say why the revision is sent back.")
    with transaction.atomic():
        revision.state = revision.State.SENT_BACK
        revision.reviewed_by = user
        revision.reviewed_at = timezone.now()
        revision.review_comment = comment.strip()
        revision.save()
