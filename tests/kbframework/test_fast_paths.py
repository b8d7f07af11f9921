"""The shortcuts serialising many records takes answer exactly what Django
would: a record's URL reversed once per route (slug_reverse) and a choice's
label translated once per language (choice_label)."""

import pytest
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix
from django.utils import translation

from epidemiology.models import Figure
from imidkb.router import router
from kbframework.api.fields import slug_reverse

# Every route of the router that looks a record up by slug.
DETAIL_ROUTES = [
    f"{basename}-detail"
    for _prefix, viewset, basename in router.registry
    if getattr(viewset, "lookup_field", None) == "slug"
]

# Plain slugs take the template; the others go through reverse() itself
# (an underscore: the route takes it; a space or a slash: it does not).
VALUES = ["psoriasis", "crohn-disease-2", "0", "has_underscore", "has space", "a/b"]


def reversed_or_error(view_name: str, value) -> str:
    try:
        return reverse(view_name, kwargs={"slug": value})
    except NoReverseMatch:
        return "NoReverseMatch"


def slug_reversed_or_error(view_name: str, value) -> str:
    try:
        return slug_reverse(view_name, "slug", value)
    except NoReverseMatch:
        return "NoReverseMatch"


def test_every_detail_route_is_checked():
    assert len(DETAIL_ROUTES) >= 10, DETAIL_ROUTES


@pytest.mark.parametrize("view_name", DETAIL_ROUTES)
def test_slug_reverse_is_reverse(view_name):
    previous = get_script_prefix()
    try:
        for prefix in ("/", "/kb/"):
            set_script_prefix(prefix)
            for value in VALUES:
                assert slug_reversed_or_error(view_name, value) == reversed_or_error(
                    view_name, value
                ), (prefix, value)
            assert slug_reverse(view_name, "slug", "psoriasis").startswith(prefix)
    finally:
        set_script_prefix(previous)


@pytest.mark.parametrize("language", ["en-gb", "fr"])
@pytest.mark.parametrize("field", ["unit", "qualifier"])
def test_choice_label_is_get_display(language, field):
    from kbframework.choices import choice_label

    choices = {"unit": Figure.Unit, "qualifier": Figure.Qualifier}[field]
    with translation.override(language):
        for value in [*choices.values, "not-a-choice"]:
            figure = Figure(**{field: value})
            expected = getattr(figure, f"get_{field}_display")()
            assert choice_label(choices, value) == expected, value
            assert type(choice_label(choices, value)) is type(expected)
