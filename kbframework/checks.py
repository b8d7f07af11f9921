"""System checks: the registry covers every curated model.

A model with a natural key (a curated record, a link, an identifier, a
vocabulary) that no fixture file registers would be left out of fixture loads
and dumps, releases, kbstats and the visibility tests without a word; this
check makes `manage.py check` (and so every command and the test run) fail
instead.
"""

from django.apps import apps
from django.core import checks


@checks.register()
def every_natural_key_model_is_registered(app_configs=None, **kwargs):
    from kbframework.models import NaturalKeyModel
    from kbframework.registry import registry

    registered = set(registry.kb_labels())
    errors = []
    for model in apps.get_models():
        if not issubclass(model, NaturalKeyModel) or model._meta.label_lower in (
            registered
        ):
            continue
        errors.append(
            checks.Error(
                f"{model._meta.label} has a natural key but no fixture file "
                "registers it.",
                hint="Add it to registry.fixture_file(...) in "
                f"{model._meta.app_config.name}/resources.py.",
                obj=model,
                id="kbframework.E001",
            )
        )
    for resource in registry.all_resources():
        if resource.label not in registered:
            errors.append(
                checks.Error(
                    f"Resource {resource.label} is in no fixture file.",
                    id="kbframework.E002",
                )
            )
    return errors
