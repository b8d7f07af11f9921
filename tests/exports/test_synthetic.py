"""Every export's validators on a large knowledge base: the curated one with
`synthkb --diseases 1000` on top (tests/conftest.py synthetic_snapshot)."""

import pytest

from imidkb import exports
from tests.conftest import SYNTHETIC
from tests.exports.checks import check_all

pytestmark = [pytest.mark.django_db, SYNTHETIC]


def test_every_export_validates_on_a_synthetic_knowledge_base_of_1000_diseases(
    synthetic_snapshot,
):
    diseases = synthetic_snapshot.records("diseases")
    assert sum(d["slug"].startswith("synth-") for d in diseases) == 1000
    check_all(exports.build(synthetic_snapshot), synthetic_snapshot)
