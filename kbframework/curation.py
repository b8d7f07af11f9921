"""Who may write what, enforced below the admin on every route.

The rule: what the public can read changes only by a reviewer's hand. An
editor (staff without the review permission) may write a row only when neither
its stored state nor its new state is public:

- a record with a workflow status is public when it is published;
- a row without a status of its own (a link, an identifier, a figure's
  citation list) is public when every record with a status it points at is
  published: it is then on the public pages;
- a shared record without a status (a source, a citation, a body system) is
  always public; editors may add a citation (a new section to cite), never
  change or delete one.

`CurationGuardMiddleware` names the request's user for the duration of the
request; the model signals below then check every save, delete and change of
citations of a curated model (registry.is_curated) against the rule, whatever
route made it: an admin form or inline, an action, the history revert view, a
link admin, the API if it ever writes, a view added later. A refused write
raises PermissionDenied (a 403) inside the route's transaction, so nothing of
it is saved.

The admin site's views run an editor's POST inside `proposing(...)`
(kbframework.proposing): there a refused write is not refused but noted as a
proposal for review of the record it belongs to, and the whole request is
rolled back once its proposal is read (kbframework.revisions). What cannot
even be proposed (deleting a published record, a source or a citation;
creating a record as published) is refused there too. Management commands
and tests outside a request are not guarded: they act as the operator.
"""

import threading
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, pre_delete, pre_save

from kbframework.choices import Status
from kbframework.registry import registry
from kbframework.visibility import has_status
from kbframework.workflow import is_reviewer

_request = threading.local()


@contextmanager
def acting_as(user):
    """Writes in this block are checked against `user`'s rights."""
    previous = getattr(_request, "user", None)
    _request.user = user
    try:
        yield
    finally:
        _request.user = previous


def current_user():
    return getattr(_request, "user", None)


class CurationGuardMiddleware:
    """Names the request's user for the write guard (after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)


def status_ends(model) -> list:
    """The foreign keys of a row that lead to records with a workflow status."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and has_status(field.remote_field.model)
    ]


def is_public(instance, *, stored: bool) -> bool:
    """Whether the row is on the public side, as stored or as about to be."""
    model = type(instance)
    if stored:
        if instance.pk is None:
            return False
        instance = model._base_manager.filter(pk=instance.pk).first()
        if instance is None:
            return False
    if has_status(model):
        return instance.status == Status.PUBLISHED
    ends = status_ends(model)
    if not ends:
        return True  # sources, citations, body systems: always public
    for field in ends:
        target_id = getattr(instance, field.attname)
        if target_id is None:
            continue
        target = field.remote_field.model._base_manager.filter(pk=target_id)
        if not target.filter(status=Status.PUBLISHED).exists():
            return False
    return True


def refusal(instance, *, deleting: bool = False) -> str | None:
    """Why an editor may not write this row directly (None if they may)."""
    model = type(instance)
    label = model._meta.verbose_name
    creating = (
        instance.pk is None or not model._base_manager.filter(pk=instance.pk).exists()
    )
    if not has_status(model) and not status_ends(model):
        if model._meta.label_lower == "imidkb.citation" and creating:
            return None
        return f"Only reviewers may change a {label}: every reader sees it."
    if is_public(instance, stored=True) or (
        not deleting and is_public(instance, stored=False)
    ):
        return (
            f"Only reviewers may change what readers see: this {label} is "
            "published (or belongs to a published record)."
        )
    return None


def check_write(user, instance, *, deleting: bool = False) -> None:
    """Raise PermissionDenied unless this user may write this row, or (in an
    admin request that proposes: kbframework.revisions) note the record the
    write is a proposal for."""
    if user is None or not user.is_authenticated or is_reviewer(user):
        return
    reason = refusal(instance, deleting=deleting)
    proposal = current_proposal()
    if reason is None:
        if proposal is not None:
            proposal.wrote_directly(instance)
        return
    if proposal is None:
        raise PermissionDenied(reason)
    proposal_refusal = unproposable(instance, deleting=deleting)
    if proposal_refusal:
        raise PermissionDenied(proposal_refusal)
    from kbframework.revisions import root_of

    stored = type(instance)._base_manager.filter(pk=instance.pk).first()
    for row in (stored, instance):
        root = root_of(row) if row is not None else None
        if root is not None and root.pk is not None:
            proposal.needs_review(root)


def unproposable(instance, *, deleting: bool) -> str | None:
    """Why this write cannot even be proposed for review (None if it can)."""
    from kbframework.revisions import is_root_model, root_of

    model = type(instance)
    label = model._meta.verbose_name
    stored = (
        instance.pk is not None and model._base_manager.filter(pk=instance.pk).exists()
    )
    if deleting and (
        is_root_model(model) or model._meta.label_lower == "imidkb.citation"
    ):
        return (
            f"Only reviewers may delete or retire a published {label}: readers "
            "and other records rely on it."
        )
    if not stored and is_root_model(model):
        return (
            f"A new {label} starts as a draft: save it as a draft, then submit "
            "it for review."
        )
    root = root_of(instance)
    if root is None or root.pk is None:
        return f"This {label} belongs to a record that is not saved yet."
    return None


_proposal = threading.local()


@contextmanager
def proposing(proposal):
    """Writes refused to an editor in this block are noted in `proposal`
    instead of refused; the caller rolls them back (kbframework.revisions)."""
    previous = getattr(_proposal, "current", None)
    _proposal.current = proposal
    try:
        yield proposal
    finally:
        _proposal.current = previous


def current_proposal():
    return getattr(_proposal, "current", None)


def guard_save(sender, instance, raw=False, **kwargs):
    if not raw and registry.is_curated(sender):
        check_write(current_user(), instance)


def guard_delete(sender, instance, **kwargs):
    if registry.is_curated(sender):
        check_write(current_user(), instance, deleting=True)


def guard_citations(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Changing a record's citations is a write to the record, from either
    side (record.citations.add(...) or citation.<records>.add(...))."""
    if not action.startswith("pre_"):
        return
    user = current_user()
    if not reverse:
        if registry.is_curated(type(instance)):
            check_write(user, instance)
        return
    if registry.is_curated(model):
        if pk_set is None:  # clear(): every record the citation supports
            records = list(model._base_manager.filter(citations=instance))
        else:
            records = list(model._base_manager.filter(pk__in=pk_set))
        for record in records:
            check_write(user, record)


def connect() -> None:
    pre_save.connect(guard_save, dispatch_uid="kbframework-guard-save")
    pre_delete.connect(guard_delete, dispatch_uid="kbframework-guard-delete")
    m2m_changed.connect(guard_citations, dispatch_uid="kbframework-guard-m2m")


def may_change(user, instance, *, deleting: bool = False) -> bool:
    """For the admin's permissions: may this user write the row directly or
    propose the write for review?"""
    if user is None or not user.is_authenticated or is_reviewer(user):
        return True
    if refusal(instance, deleting=deleting) is None:
        return True
    return unproposable(instance, deleting=deleting) is None
