"""Keep derived state in step with curated writes: the data version and the
search index."""

import threading
from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_delete, post_save

from kbframework import search
from kbframework.registry import registry

_state = threading.local()


@contextmanager
def bulk_write():
    """Hold back per-record upkeep during a bulk write (a fixture load, a
    synthetic import); bump the version once and rebuild the index at the end."""
    from kbframework.models import DataVersion

    outer = getattr(_state, "bulk", False)
    if not outer:
        _state.dirty = False
    _state.bulk = True
    try:
        yield
    finally:
        _state.bulk = outer
    # Reached only when the block succeeded, and only for the outermost block.
    if not outer and _state.dirty:
        DataVersion.bump()
        search.rebuild_index()


def in_bulk_write() -> bool:
    """True inside bulk_write(); notes that the block wrote something."""
    if getattr(_state, "bulk", False):
        _state.dirty = True
        return True
    return False


def bump_version(sender, instance, **kwargs):
    from kbframework.models import DataVersion

    if registry.is_curated(type(instance)) and not in_bulk_write():
        DataVersion.bump()


def bump_version_on_links(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        bump_version(sender, instance)


def reindex(sender, instance, **kwargs):
    if not in_bulk_write():
        search.index_object(instance)


def unindex(sender, instance, **kwargs):
    if not in_bulk_write():
        search.unindex_object(instance)


def connect() -> None:
    post_save.connect(bump_version, dispatch_uid="imidkb-version-save")
    post_delete.connect(bump_version, dispatch_uid="imidkb-version-delete")
    m2m_changed.connect(bump_version_on_links, dispatch_uid="imidkb-version-m2m")
    for resource in registry.searchable():
        model, label = resource.model, resource.label
        post_save.connect(reindex, sender=model, dispatch_uid=f"search-save-{label}")
        post_delete.connect(unindex, sender=model, dispatch_uid=f"search-del-{label}")
