"""A record filter with more records than a list of options can usefully
offer (kbframework.views.LONG_CHOICES) is a box its slugs are typed into,
on every HTML list of records in the URL conf; it accepts exactly what the
list of options sent."""

import re

import pytest
from django import forms

from imidkb.management.commands.buildpublic import list_routes
from kbframework import views

pytestmark = pytest.mark.django_db


def html_lists():
    return [path for path, _func in list_routes() if not path.startswith("/api/")]


def record_filters(client, path):
    """(name, number of records it offers) of each record filter of a list."""
    response = client.get(path)
    assert response.status_code == 200
    if "filter" not in response.context:
        return response, []  # a list with no filters (conditions)
    form = response.context["filter"].form
    return response, [
        (name, field.queryset.count())
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelMultipleChoiceField)
    ]


def slugs_offered(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]+)"', select.group(0))


def test_every_list_offers_a_short_filter_as_options_and_a_long_one_as_a_box(
    kb, client, monkeypatch
):
    checked = 0
    for path in html_lists():
        _response, filters = record_filters(client, path)
        if not filters:
            continue
        # Between the shortest and the longest: one of each kind, if any.
        counts = sorted({count for _name, count in filters})
        monkeypatch.setattr(views, "LONG_CHOICES", counts[0] if len(counts) > 1 else 0)
        response = client.get(path)
        html = response.content.decode()
        for name, count in filters:
            if count > views.LONG_CHOICES:
                box = re.search(rf'<input type="text" name="{name}"[^>]*>', html)
                assert box, (path, name)
                assert "placeholder=" in box.group(0)
                assert f'<select name="{name}"' not in html
            else:
                assert len(slugs_offered(html, name)) == count, (path, name)
            checked += 1
        monkeypatch.undo()
    assert checked >= 10  # every list's record filters, short and long


def test_typed_slugs_filter_as_the_options_did(kb, client, monkeypatch):
    path = "/diseases/"
    response, _filters = record_filters(client, path)
    name = "symptom"
    slugs = slugs_offered(response.content.decode(), name)[:2]
    chosen = client.get(path, {name: slugs})
    monkeypatch.setattr(views, "LONG_CHOICES", 0)
    for typed in (f"{slugs[0]} {slugs[1]}", f" {slugs[0]},{slugs[1]} "):
        response = client.get(path, {name: typed})
        assert response.status_code == 200
        assert list(response.context["object_list"]) == list(
            chosen.context["object_list"]
        )
        # The box shows what was typed, as slugs.
        assert f'value="{slugs[0]} {slugs[1]}"' in response.content.decode()
    unknown = client.get(path, {name: f"{slugs[0]} no-such-symptom"})
    assert unknown.status_code == 400
    assert "no-such-symptom" in unknown.content.decode()
