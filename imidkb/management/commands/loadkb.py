from django.core.management.base import BaseCommand, CommandError

from kbframework.fixtures import KBLoadError, load_kb, refresh_planner_statistics


class Command(BaseCommand):
    help = (
        "Load the curated knowledge base from fixtures/ in one transaction. "
        "Records are matched by natural key; only what differs is written. "
        "A record changed in the database since the last load or dump (an "
        "editor's work in the admin) is kept; one changed there and in the "
        "fixtures makes the load refuse, naming it, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures", help="Folder to read instead of the project's fixtures/."
        )
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Where the database and the fixtures both changed a record, "
            "take the fixtures' version (the database's is overwritten).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an empty knowledge base (a first start); "
            "otherwise change nothing.",
        )

    def handle(self, *args, **options):
        try:
            report = load_kb(
                options["fixtures"],
                using=options["database"],
                force=options["force"],
                if_empty=options["if_empty"],
            )
        except KBLoadError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        if report.skipped_because_not_empty:
            self.stdout.write(
                self.style.SUCCESS(
                    "The knowledge base is not empty: nothing loaded (--if-empty)."
                )
            )
            return
        for outcome in ("created", "updated", "unchanged"):
            counts = getattr(report, outcome)
            total = sum(counts.values())
            self.stdout.write(f"{outcome}: {total}")
            if outcome != "unchanged":
                for label, count in sorted(counts.items()):
                    self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            f"kept as changed in the database since the last load: {len(report.kept)}"
        )
        for key in report.kept:
            self.stdout.write(f"  {key}")
        if report.changed:
            refresh_planner_statistics(options["database"])
            self.stdout.write(self.style.SUCCESS("Knowledge base loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Knowledge base already up to date."))
