"""Every export's validators on a large knowledge base: the curated one with
`synthkb --diseases 1000` on top (one test: writing it is the cost)."""

from io import StringIO

import pytest
from django.core.management import call_command

from diseases.models import Disease
from imidkb import exports
from tests.exports.checks import check_all

pytestmark = pytest.mark.django_db


def test_every_export_validates_on_a_synthetic_knowledge_base_of_1000_diseases(kb):
    call_command("synthkb", diseases=1000, stdout=StringIO())
    assert Disease.objects.filter(slug__startswith="synth-").count() == 1000
    snapshot = exports.live_snapshot()
    assert len(snapshot.records("diseases")) > 1000
    check_all(exports.build(snapshot), snapshot)
