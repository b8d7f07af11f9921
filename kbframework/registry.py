"""The registry: one place that knows every curated model and what it offers.

Each app declares its resources once, in its own `resources.py` (imported at
start-up by `KBFrameworkConfig.ready()`, as the admin imports `admin.py`):

- `registry.fixture_file(name, order=..., models=[...])`: the models a fixture
  file holds, in load order. Every model of the file is curated (its writes
  bump the data version); together the files are the whole knowledge base.
- `registry.resource(model, ...)`: what one model offers readers: an API
  prefix and viewset, a search group (with the rows and one-line description
  of its results, the members and identifiers it is also found by), a
  sitemap, a place in data releases, the rows kbstats reports as lacking an
  identifier.
- `registry.section(target, Section(...))`: a section one app adds to another
  app's record (treatments add a disease's treatments): its prefetch, its
  serializer field, its admin inline and its page partial. The target app
  asks the registry for its sections; no class is patched.
- `registry.shared_end(target, SharedEnd(...))`: a kind of linked record that
  makes two records of the target related when both link to it.

Code that loops over "every model" (fixture load and dump, search indexing,
releases, sitemaps, kbstats, the API router, visibility and admin tests) reads
the registry and keeps no list of its own. Ordering is explicit (`order`,
`position`), never the order of INSTALLED_APPS.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class FixtureFile:
    """One file of fixtures/: the models it holds, in load order."""

    name: str
    order: int
    labels: tuple[str, ...]


@dataclass(frozen=True)
class SearchMembers:
    """A record is also found by the names of its members (a drug class by
    its drugs, a group by its diseases): `label` is the members' model,
    `pairs(member_ids, visibility)` gives (member id, record id, member name)
    for the links the reader may see. Read when searching, so a renamed or
    moved member is found under its record at once."""

    label: str
    pairs: Callable[[list[int], Any], Iterable[tuple[int, int, str]]]


@dataclass(frozen=True)
class Resource:
    """What one model offers readers."""

    label: str
    position: int = 0
    api_prefix: str = ""
    viewset: Any = None
    search_title: str = ""
    sitemap: bool = False
    released: bool = False
    # Rows expected to carry an external identifier but lacking one (kbstats).
    missing_identifier: Q | None = None
    # Search (kbframework.search). `search_rows(user)`: the queryset results
    # are read from (default: model.objects.restrict(user)); `search_line(record)`:
    # the one line shown under a result (default: its summary, shortened).
    search_rows: Callable[[Any], QuerySet] | None = None
    search_line: Callable[[Any], str] | None = None
    search_members: SearchMembers | None = None
    # `search_identifiers(identifiers, visibility)`: (record id, identifier,
    # exact) of the records carrying any of these CURIEs that the reader may see.
    search_identifiers: Callable[[set[str], Any], Iterable[tuple]] | None = None

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


@dataclass(frozen=True)
class Section:
    """A section that one app adds to the detail of another app's record.

    - `prefetch(visibility)`: the Prefetch objects the section reads, for the
      target's `for_detail(user)`;
    - `serializer_field()`: the API field (built anew for each serializer);
    - `admin_inline`: an inline for the target's admin page;
    - `template` and `page_context(record, request)`: the partial included on
      the target's page and the context it needs; `title` and `anchor` its
      entry in the page's contents ("On this page"); `has_content(record,
      context)` whether it has anything to show; `always` shown on a
      disease's page even when empty (it then says what the sources do not
      state), while an outcome's page shows only what it has;
    - `inherited`: a member's page shows the section's facts stated for
      the records above it too (kbframework.inheritance).
    """

    name: str
    position: int
    title: str = ""
    anchor: str = ""
    has_content: Callable[..., bool] = lambda record, context: True
    always: bool = True
    inherited: bool = True
    prefetch: Callable[..., list] = lambda visibility: []
    serializer_field: Callable[[], Any] | None = None
    admin_inline: type | None = None
    template: str = ""
    page_context: Callable[..., dict] = lambda record, request: {}


@dataclass(frozen=True)
class SharedEnd:
    """Records of the target kind are related when both link to the same end.

    `links()` is the queryset of link rows (each with a `<target field>_id`
    column named by `target_field`), `end` the field naming the shared record.
    """

    key: str
    position: int
    links: Callable[[], QuerySet]
    end: str
    target_field: str = "disease"
    title: str = ""


class AlreadyRegistered(Exception):
    pass


@dataclass
class Registry:
    files: dict[str, FixtureFile] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    sections_by_target: dict[str, list[Section]] = field(default_factory=dict)
    shared_ends_by_target: dict[str, list[SharedEnd]] = field(default_factory=dict)
    _curated: frozenset[str] | None = None

    # ------------------------------------------------------------ declaring

    def fixture_file(self, name: str, *, order: int, models: list) -> None:
        if name in self.files:
            raise AlreadyRegistered(f"fixture file {name} is registered twice")
        labels = tuple(_label(model) for model in models)
        taken = {label for file in self.files.values() for label in file.labels}
        twice = taken & set(labels)
        if twice:
            raise AlreadyRegistered(f"{', '.join(sorted(twice))} in two fixture files")
        self.files[name] = FixtureFile(name, order, labels)
        self._curated = None

    def resource(self, model, **options) -> Resource:
        label = _label(model)
        if label in self.resources:
            raise AlreadyRegistered(f"resource {label} is registered twice")
        resource = Resource(label=label, **options)
        self.resources[label] = resource
        return resource

    def section(self, target, section: Section) -> None:
        sections = self.sections_by_target.setdefault(_label(target), [])
        if any(existing.name == section.name for existing in sections):
            raise AlreadyRegistered(f"section {section.name} of {_label(target)}")
        sections.append(section)
        sections.sort(key=lambda s: (s.position, s.name))

    def shared_end(self, target, end: SharedEnd) -> None:
        ends = self.shared_ends_by_target.setdefault(_label(target), [])
        ends.append(end)
        ends.sort(key=lambda e: (e.position, e.key))

    # ------------------------------------------------------------ reading

    def fixture_files(self) -> list[FixtureFile]:
        """Every fixture file, in load order."""
        return sorted(self.files.values(), key=lambda f: (f.order, f.name))

    def fixture_file_pairs(self) -> list[tuple[str, tuple[str, ...]]]:
        """(file name, model labels) of every fixture file, in load order."""
        return [(file.name, file.labels) for file in self.fixture_files()]

    def kb_labels(self) -> list[str]:
        """Every model the fixture files hold, in load order."""
        return [label for file in self.fixture_files() for label in file.labels]

    def curated_models(self) -> list[type[models.Model]]:
        """The knowledge base's own models, in load order: everything the
        fixture files hold but the editorial groups (auth.group)."""
        return [
            apps.get_model(label)
            for label in self.kb_labels()
            if not label.startswith("auth.")
        ]

    def is_curated(self, model) -> bool:
        """True for the models whose writes change the knowledge base."""
        if self._curated is None:
            self._curated = frozenset(
                m._meta.label_lower for m in self.curated_models()
            )
        return model._meta.label_lower in self._curated

    def cited_models(self) -> list[type[models.Model]]:
        """Curated models that carry citations."""
        return [
            model
            for model in self.curated_models()
            if any(f.name == "citations" for f in model._meta.many_to_many)
        ]

    def workflow_models(self) -> list[type[models.Model]]:
        """Curated models with a workflow status (records, not links)."""
        return [
            model
            for model in self.curated_models()
            if any(f.name == "status" for f in model._meta.concrete_fields)
        ]

    def link_models(self) -> list[type[models.Model]]:
        """Curated models without a status of their own: links between records,
        identifiers, vocabularies and sources."""
        return [m for m in self.curated_models() if m not in self.workflow_models()]

    def link_kinds(self) -> list[type[models.Model]]:
        """Cited models without an API resource of their own, in load order:
        the links between records (with their identifiers) and the records
        that only hang off others (treatment-response notes). Each is served
        as a list of rows (kbframework.api.links)."""
        own = {resource.label for resource in self.api_resources()}
        return [
            model for model in self.cited_models() if model._meta.label_lower not in own
        ]

    def hanging_off(self, model) -> list[tuple[type[models.Model], str]]:
        """(curated model, foreign key name) of every kind of row that points
        at this model: its links, identifiers, figures, notes."""
        found = []
        for other in self.curated_models():
            for fk in other._meta.concrete_fields:
                if fk.many_to_one and fk.remote_field.model is model:
                    found.append((other, fk.name))
        return found

    def all_resources(self) -> list[Resource]:
        return sorted(self.resources.values(), key=lambda r: (r.position, r.label))

    def api_resources(self) -> list[Resource]:
        return [r for r in self.all_resources() if r.api_prefix]

    def released(self) -> list[Resource]:
        return [r for r in self.all_resources() if r.released]

    def searchable(self) -> list[Resource]:
        return [r for r in self.all_resources() if r.search_title]

    def in_sitemap(self) -> list[Resource]:
        return [r for r in self.all_resources() if r.sitemap]

    def page_urls(self) -> list[str]:
        """The URL modules ("<app>.urls") of the apps that register resources,
        in their first resource's position."""
        from django.utils.module_loading import module_has_submodule

        modules = []
        for resource in self.all_resources():
            config = apps.get_app_config(resource.label.split(".")[0])
            module = f"{config.name}.urls"
            if module not in modules and module_has_submodule(config.module, "urls"):
                modules.append(module)
        return modules

    def sections(self, target) -> list[Section]:
        return list(self.sections_by_target.get(_label(target), []))

    def shared_ends(self, target) -> list[SharedEnd]:
        return list(self.shared_ends_by_target.get(_label(target), []))


def _label(model) -> str:
    """ "app_label.modelname" of a model class or label."""
    if isinstance(model, str):
        return apps.get_model(model)._meta.label_lower
    return model._meta.label_lower


registry = Registry()
