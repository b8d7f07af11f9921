from django.core.management.base import BaseCommand

from kbframework.fixtures import dump_kb


class Command(BaseCommand):
    help = (
        "Write the knowledge base back to fixtures/ (natural keys, stable order), "
        "so that curation in the admin round-trips through git."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures", help="Folder to write instead of the project's fixtures/."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        for path in dump_kb(options["fixtures"], using=options["database"]):
            self.stdout.write(f"wrote {path}")
