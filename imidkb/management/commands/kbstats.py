from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from imidkb.kb import FIXTURE_FILES

# Which records are expected to carry an external identifier, and how a row
# without one is recognised.
IDENTIFIER_EXPECTED = {
    "diseases.disease": Q(xrefs__isnull=True),
    "diseases.symptom": Q(hpo_id=""),
    "treatments.drugclass": Q(xrefs__isnull=True),
    "treatments.drug": Q(xrefs__isnull=True),
}


def curated_models():
    for _filename, labels in FIXTURE_FILES:
        for label in labels:
            if not label.startswith("auth."):
                yield apps.get_model(label)


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
        models = list(curated_models())
        width = max(len(m._meta.label) for m in models)
        for model in models:
            count = model._default_manager.count()
            self.stdout.write(f"  {model._meta.label:<{width}}  {count:>6}")

        uncited = []
        for model in models:
            if any(f.name == "citations" for f in model._meta.many_to_many):
                rows = model._default_manager.filter(citations__isnull=True)
                uncited += [(model._meta.label, describe(obj)) for obj in rows]
        self.stdout.write(f"\nRecords without a citation: {len(uncited)}")
        for label, key in uncited:
            self.stdout.write(f"  {label}  {key}")

        unidentified = []
        for label, missing in IDENTIFIER_EXPECTED.items():
            model = apps.get_model(label)
            rows = model._default_manager.filter(missing).distinct()
            unidentified += [(model._meta.label, describe(obj)) for obj in rows]
        self.stdout.write(f"\nRecords without an identifier: {len(unidentified)}")
        for label, key in unidentified:
            self.stdout.write(f"  {label}  {key}")

        if options["strict"] and uncited:
            raise CommandError(f"{len(uncited)} records lack a citation.")
