"""Keep derived state in step with curated writes: the data version and the
search index."""

import threading
from contextlib import contextmanager

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from imidkb import search

_state = threading.local()


@contextmanager
def bulk_write():
    """Hold back per-record upkeep during a bulk write (a fixture load, a
    synthetic import); bump the version once and rebuild the index at the end."""
    from imidkb.models import DataVersion

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


KB_APPS = {"imidkb", "diseases", "treatments", "epidemiology"}
DERIVED = {
    "imidkb.searchterm",
    "imidkb.searchkey",
    "imidkb.dataversion",
    "imidkb.release",
}


def is_curated(model) -> bool:
    return (
        model._meta.app_label in KB_APPS
        and model._meta.label_lower not in DERIVED
        and not model._meta.auto_created
        and not hasattr(model, "instance_type")  # a simple-history record
    )


def bump_version(sender, instance, **kwargs):
    from imidkb.models import DataVersion

    if is_curated(type(instance)) and not in_bulk_write():
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
    for label in search.SEARCHABLE:
        model = apps.get_model(label)
        post_save.connect(reindex, sender=model, dispatch_uid=f"search-save-{label}")
        post_delete.connect(unindex, sender=model, dispatch_uid=f"search-del-{label}")
