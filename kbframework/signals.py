"""Keep derived state in step with curated writes: the data version and the
search index."""

import threading
from contextlib import contextmanager

from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)

from kbframework import readmodel, search
from kbframework.registry import registry

_state = threading.local()


# A bulk write that writes more rows than this deletes every public
# document at its end instead of tracing each row's (a fixture load, a
# synthetic import; a published revision writes a few).
TRACED_ROWS = 2000


@contextmanager
def bulk_write(trace: bool = False):
    """Hold back per-record upkeep during a bulk write (a fixture load, a
    synthetic import, a published revision); at the end, bump the version
    once, delete the public documents (with `trace`, only those of the rows
    written, up to TRACED_ROWS of them) and rebuild the index."""
    from kbframework.models import DataVersion

    outer = getattr(_state, "bulk", False)
    if not outer:
        _state.dirty = False
        # (row, its ends) of each row written, or None: every document.
        _state.written = [] if trace else None
    _state.bulk = True
    try:
        yield
    finally:
        _state.bulk = outer
    # Reached only when the block succeeded, and only for the outermost block.
    if not outer and _state.dirty:
        written, _state.written = _state.written, []
        if written is None:
            DataVersion.bump()  # and every public document deleted
        else:
            DataVersion.bump(records=[row for row, _ends in written])
            readmodel.invalidate(
                [row for row, _ends in written],
                [end for _row, ends in written for end in ends],
            )
        search.rebuild_index()


def in_bulk_write() -> bool:
    """True inside bulk_write(); notes that the block wrote something."""
    if getattr(_state, "bulk", False):
        _state.dirty = True
        return True
    return False


def tracing() -> bool:
    """Whether the rows a bulk write writes are still traced one by one."""
    return not getattr(_state, "bulk", False) or _state.written is not None


def written(instance, ends) -> None:
    """A curated row written: its public documents deleted now, or at the
    end of the bulk write it is part of."""
    from kbframework.models import DataVersion

    if not in_bulk_write():
        DataVersion.bump(records=[instance])
        readmodel.invalidate([instance], ends)
    elif _state.written is not None:
        _state.written.append((instance, list(ends)))
        if len(_state.written) > TRACED_ROWS:
            _state.written = None


def mark_written(instance, ends=()) -> None:
    """A row changed by a queryset update (no signal): its documents, and
    those of `ends` ((model, pk) of what a changed foreign key pointed at
    and points at), too."""
    if registry.is_curated(type(instance)) and tracing():
        written(instance, ends)


def note_before_save(sender, instance, **kwargs):
    """The row's structural fields as stored (readmodel.is_structural)."""
    if registry.is_curated(type(instance)) and tracing():
        instance._readmodel_before = readmodel.snapshot(instance)


def note_before_delete(sender, instance, **kwargs):
    """A deleted row's ends, read while the rows hanging off it are there."""
    if registry.is_curated(type(instance)) and tracing():
        instance._readmodel_ends = readmodel.ends_of(instance, structural=True)


def bump_version(sender, instance, created=False, **kwargs):
    """A curated write: the data version is bumped (its row locked until the
    write commits), then the public documents it changes are deleted."""
    if not registry.is_curated(type(instance)):
        return
    if not tracing():
        in_bulk_write()
        return
    if kwargs.get("signal") is post_delete:
        ends = instance.__dict__.pop("_readmodel_ends", [])
        ends += readmodel.count_changes(instance, None, False, True)
    else:
        before = instance.__dict__.pop("_readmodel_before", None)
        structural = readmodel.is_structural(instance, before, created)
        ends = readmodel.ends_of(instance, structural)
        ends += readmodel.count_changes(instance, before, created, False)
    written(instance, ends)


def bump_version_on_links(sender, instance, action, model=None, pk_set=None, **kwargs):
    """Citations added or removed: the record's documents, and the cited
    rows' ends (the citation's source lists what cites it)."""
    if not action.startswith("post_") or not registry.is_curated(type(instance)):
        return
    if action == "post_clear":
        _untraced()  # what was cleared is gone: every document
        return
    if not tracing():
        in_bulk_write()
        return
    written(instance, [(model, pk) for pk in pk_set or ()])


def _untraced() -> None:
    from kbframework.models import DataVersion

    if in_bulk_write():
        _state.written = None
    else:
        DataVersion.bump()


def reindex(sender, instance, **kwargs):
    if not in_bulk_write():
        search.index_object(instance)


def unindex(sender, instance, **kwargs):
    if not in_bulk_write():
        search.unindex_object(instance)


def connect() -> None:
    pre_save.connect(note_before_save, dispatch_uid="imidkb-readmodel-before")
    pre_delete.connect(note_before_delete, dispatch_uid="imidkb-readmodel-delete")
    post_save.connect(bump_version, dispatch_uid="imidkb-version-save")
    post_delete.connect(bump_version, dispatch_uid="imidkb-version-delete")
    m2m_changed.connect(bump_version_on_links, dispatch_uid="imidkb-version-m2m")
    for resource in registry.searchable():
        model, label = resource.model, resource.label
        post_save.connect(reindex, sender=model, dispatch_uid=f"search-save-{label}")
        post_delete.connect(unindex, sender=model, dispatch_uid=f"search-del-{label}")
