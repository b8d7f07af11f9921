from django.core.management.base import BaseCommand, CommandError

from kbframework.registry import registry


def describe(obj) -> str:
    return " / ".join(str(part) for part in obj.natural_key() if part is not None)


class Command(BaseCommand):
    help = (
        "Count the records of each model and list every record that lacks a "
        "citation or an identifier."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with an error if any record lacks a citation.",
        )

    def handle(self, *args, **options):
        self.stdout.write("Records per model")
        models = registry.curated_models()
        width = max(len(m._meta.label) for m in models)
        for model in models:
            count = model._default_manager.count()
            self.stdout.write(f"  {model._meta.label:<{width}}  {count:>6}")

        uncited = []
        for model in registry.cited_models():
            rows = model._default_manager.filter(citations__isnull=True)
            uncited += [(model._meta.label, describe(obj)) for obj in rows]
        self.stdout.write(f"\nRecords without a citation: {len(uncited)}")
        for label, key in uncited:
            self.stdout.write(f"  {label}  {key}")

        unidentified = []
        # Which records are expected to carry an external identifier, and how
        # a row without one is recognised, as each resource registers it.
        for resource in registry.all_resources():
            if resource.missing_identifier is None:
                continue
            model = resource.model
            rows = model._default_manager.filter(resource.missing_identifier)
            rows = rows.distinct()
            unidentified += [(model._meta.label, describe(obj)) for obj in rows]
        self.stdout.write(f"\nRecords without an identifier: {len(unidentified)}")
        for label, key in unidentified:
            self.stdout.write(f"  {label}  {key}")

        if options["strict"] and uncited:
            raise CommandError(f"{len(uncited)} records lack a citation.")
