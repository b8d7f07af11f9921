"""Editors' changes to what readers see, proposed instead of written.

The admin site wraps every view it serves with `proposing_view`
(imidkb.admin_site.KBAdminSite.admin_view).
"""

import functools

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from kbframework import curation, revisions, workflow


class _Proposed(Exception):
    """Raised to roll back an editor's writes once they are read as a proposal."""


def proposing_view(view):
    """Wrap an admin view: an editor's POST that would change what readers
    see is made in a savepoint, read as a revision (kbframework.revisions),
    and rolled back; the editor is taken to the revision. Reviewers' and
    readers' requests, and editors' writes to drafts only, pass through.
    The admin site wraps every view it serves (KBAdminSite.admin_view), so
    a view added later proposes too; outside the admin the write guard
    refuses instead (kbframework.curation)."""

    @functools.wraps(view)
    def inner(request, *args, **kwargs):
        user = request.user
        if (
            request.method != "POST"
            or not user.is_authenticated
            or workflow.is_reviewer(user)
        ):
            return view(request, *args, **kwargs)
        proposal = revisions.Proposal(user)
        try:
            with transaction.atomic(), curation.proposing(proposal):
                response = view(request, *args, **kwargs)
                if not proposal.reviewed:
                    return response  # drafts only: written as they are
                if response.status_code in (301, 302, 303):
                    proposal.capture()
                raise _Proposed
        except _Proposed:
            pass
        if not proposal.captured:
            messages.error(
                request,
                "Nothing was saved: this change needs review, and it could not "
                "be kept as a revision from this page.",
            )
            return response
        with transaction.atomic():
            revision = proposal.store()
        if revision is None:
            messages.info(request, "Nothing that readers see was changed.")
            return response
        messages.success(
            request,
            f"Not published yet: your change is kept as revision {revision.pk}, "
            "waiting for a reviewer. Readers see the published version until "
            "a reviewer publishes it.",
        )
        return HttpResponseRedirect(
            reverse("admin:imidkb_revision_change", args=[revision.pk])
        )

    return inner
