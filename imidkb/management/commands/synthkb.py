from django.core.management.base import BaseCommand, CommandError

from imidkb.synth import synth_create, synth_remove
from kbframework.fixtures import refresh_planner_statistics


class Command(BaseCommand):
    help = (
        "Add a synthetic knowledge base on top of the curated one, for "
        "benchmarks (slugs start with 'synth-', cited to the 'synthetic' "
        "source), or remove it with --remove."
    )

    def add_arguments(self, parser):
        parser.add_argument("--diseases", type=int, help="How many diseases to add.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--remove", action="store_true", help="Delete all synthetic records."
        )

    def handle(self, *args, **options):
        if options["remove"]:
            deleted = synth_remove()
            refresh_planner_statistics()
            self.stdout.write(f"Removed {deleted} synthetic rows.")
            return
        if not options["diseases"] or options["diseases"] < 1:
            raise CommandError("Give --diseases N (N >= 1), or --remove.")
        counts = synth_create(diseases=options["diseases"], seed=options["seed"])
        refresh_planner_statistics()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
