from django.core.management.base import BaseCommand

from imidkb.releases import cut_release


class Command(BaseCommand):
    help = (
        "Cut the next numbered data release of the published knowledge base "
        "(JSON, and CSV files in a zip, with SHA-256 checksums and a changelog)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--note", default="", help="What this release is for.")

    def handle(self, *args, **options):
        release = cut_release(note=options["note"])
        self.stdout.write(
            f"Release {release.number} cut at {release.cut_at:%Y-%m-%d %H:%M}"
        )
        for kind in ("added", "changed", "retired"):
            count = sum(len(keys) for keys in release.changelog[kind].values())
            self.stdout.write(f"  {kind}: {count}")
        self.stdout.write(f"  JSON sha256:    {release.json_sha256}")
        self.stdout.write(f"  CSV zip sha256: {release.csv_zip_sha256}")
