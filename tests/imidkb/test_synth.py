"""The synthetic knowledge base for benchmarks: added on top, removed whole."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from diseases.models import Disease, DiseaseSymptom
from epidemiology.models import Figure
from kbframework.fixtures import serialize_file
from kbframework.models import Source

pytestmark = pytest.mark.django_db

CURATED = ["diseases.disease", "diseases.diseasesymptom", "epidemiology.figure"]


def planner_statistics(table: str) -> float:
    """Rows the query planner believes a table holds (0 before ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
            )
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            row = cursor.fetchone()
            return float(row[0].split()[0]) if row else 0
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return max(float(cursor.fetchone()[0]), 0)


def test_synthkb_adds_a_marked_knowledge_base_and_removes_it_whole(kb, client):
    before = serialize_file(CURATED)
    out = StringIO()
    call_command("synthkb", diseases=40, stdout=out)
    assert "diseases: 40" in out.getvalue()
    synthetic = Disease.objects.filter(slug__startswith="synth-")
    assert synthetic.count() == 40
    assert all(d.citations.get().source.slug == "synthetic" for d in synthetic[:5])
    links = DiseaseSymptom.objects.filter(disease__in=synthetic).count()
    assert 40 * 10 <= links <= 40 * 20
    assert Figure.objects.filter(disease__in=synthetic).count() >= 40 * 3
    assert Source.objects.get(slug="synthetic").kind == Source.Kind.SYNTHETIC
    assert "Synthetic disease 00007" in client.get("/search/?q=SD7").content.decode()
    assert planner_statistics("diseases_diseasesymptom") > 0  # ANALYZE ran

    call_command("synthkb", remove=True, stdout=StringIO())
    assert not Disease.objects.filter(slug__startswith="synth-").exists()
    assert not Source.objects.filter(slug="synthetic").exists()
    assert serialize_file(CURATED) == before


def test_synthkb_needs_a_count(db):
    with pytest.raises(CommandError, match="--diseases"):
        call_command("synthkb", stdout=StringIO())
