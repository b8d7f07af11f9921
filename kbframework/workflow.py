"""The curation workflow: who may move a record from one status to another,
and what a record needs before it is published.

    draft -> in review            editors and reviewers ("submit")
    in review -> published        reviewers ("publish")
    in review -> draft            reviewers ("send back")
    any -> retired                reviewers ("retire")

Editors change drafts, and propose changes to published records as
revisions that reviewers publish or send back (kbframework.revisions);
reviewers change anything. The rules are checked
on the server (admin forms and actions go through here), so posting a status
an editor may not set is refused whatever the browser sends.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kbframework.choices import Status

REVIEW_PERMISSION = "imidkb.review_records"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    reviewers_only: bool


TRANSITIONS = [
    Transition("submit", "Submit for review", (Status.DRAFT,), Status.IN_REVIEW, False),
    Transition("publish", "Publish", (Status.IN_REVIEW,), Status.PUBLISHED, True),
    # Not from published: a published record stays on the site while it is
    # corrected (corrections are revisions, kbframework.revisions); taking
    # it down is retiring it.
    Transition(
        "send_back", "Send back to draft", (Status.IN_REVIEW,), Status.DRAFT, True
    ),
    Transition(
        "retire",
        "Retire",
        (Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED),
        Status.RETIRED,
        True,
    ),
]


def is_reviewer(user) -> bool:
    return bool(user and user.is_active and user.has_perm(REVIEW_PERMISSION))


def can_edit(user, record) -> bool:
    """Editors change drafts, and propose changes to published records (a
    revision: kbframework.revisions); reviewers change records in any
    status. A record in review or retired is the reviewers' to move."""
    return is_reviewer(user) or record.status in (Status.DRAFT, Status.PUBLISHED)


def find_transition(source: str, target: str) -> Transition | None:
    for transition in TRANSITIONS:
        if source in transition.sources and transition.target == target:
            return transition
    return None


def check_transition(user, source: str, target: str) -> None:
    """Raise unless this user may move a record from source to target."""
    if source == target:
        return
    transition = find_transition(source, target)
    if transition is None:
        raise ValidationError(
            f"A record cannot go from “{Status(source).label}” "
            f"to “{Status(target).label}”."
        )
    if transition.reviewers_only and not is_reviewer(user):
        raise PermissionDenied(
            f"Only reviewers may {transition.label.lower()} a record."
        )


def publication_problems(record, citations=None) -> list[str]:
    """What stops a record from being published (empty when nothing does).

    `citations` are the citations about to be saved with it (from a form);
    otherwise the record's stored citations are counted.
    """
    problems = []
    count = len(citations) if citations is not None else record.citations.count()
    if not count:
        problems.append("It needs at least one citation (source and section).")
    try:
        record.full_clean(exclude=["status"], validate_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            label = field if field != "__all__" else "record"
            problems += [f"{label}: {message}" for message in messages]
    return problems


def apply(user, record, target: str) -> None:
    """Move one record to target status, checking rules and completeness."""
    check_transition(user, record.status, target)
    if target == Status.PUBLISHED:
        problems = publication_problems(record)
        if problems:
            raise ValidationError(problems)
        record.reviewed_on = timezone.localdate()
    record.status = target
    record.save()
