from django.core.management.base import BaseCommand, CommandError

from kbframework.fixtures import KBLoadError, load_kb, refresh_planner_statistics


class Command(BaseCommand):
    help = (
        "Load the curated knowledge base from fixtures/ in one transaction. "
        "Records are matched by natural key; only what differs is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures", help="Folder to read instead of the project's fixtures/."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        try:
            report = load_kb(options["fixtures"], using=options["database"])
        except KBLoadError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for outcome in ("created", "updated", "unchanged"):
            counts = getattr(report, outcome)
            total = sum(counts.values())
            self.stdout.write(f"{outcome}: {total}")
            if outcome != "unchanged":
                for label, count in sorted(counts.items()):
                    self.stdout.write(f"  {label}: {count}")
        if report.changed:
            refresh_planner_statistics(options["database"])
            self.stdout.write(self.style.SUCCESS("Knowledge base loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Knowledge base already up to date."))
