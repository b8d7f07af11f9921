"""Only ASCII digits are numbers, on every list that takes one.

The lists and their numeric parameters are found, not listed: every API
resource of the registry (page, page_size and each number filter of its
filterset) and every HTML list view of the URL conf (page, number filters).
A value that is not a plain ASCII whole number (other scripts' digits,
superscripts, signs, spaces, exponents, decimal points) is a 400 that names
the parameter, never a 5xx, never a silent match.
"""

import django_filters
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_filters.views import FilterView
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kbframework.registry import registry

pytestmark = pytest.mark.django_db


def number_filters(filterset_class) -> list[str]:
    return [
        name
        for name, f in filterset_class.base_filters.items()
        if isinstance(f, django_filters.NumberFilter)
    ]


def api_lists() -> list[tuple[str, list[str]]]:
    found = []
    for resource in registry.api_resources():
        viewset = resource.viewset
        params = ["page", "page_size"]
        if getattr(viewset, "filterset_class", None):
            params += number_filters(viewset.filterset_class)
        found.append((f"/api/v1/{resource.api_prefix}/", params))
    return found


def html_lists() -> list[tuple[str, list[str]]]:
    found = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                view = getattr(p.callback, "view_class", None)
                if view and issubclass(view, FilterView) and not p.pattern.converters:
                    name = f"{namespace}:{p.name}" if namespace else p.name
                    params = number_filters(view.filterset_class)
                    if getattr(view, "paginate_by", None):
                        params.append("page")
                    if params:
                        found.append((reverse(name), params))

    walk(get_resolver().url_patterns, None)
    return found


LISTS = [
    (url, param, kind)
    for kind, lists in (("api", api_lists()), ("html", html_lists()))
    for url, params in lists
    for param in params
]


def test_the_lists_were_found():
    """The matrix has teeth: it covers the year filters and pages."""
    names = {(url, param) for url, param, _kind in LISTS}
    assert ("/api/v1/figures/", "year") in names
    assert ("/api/v1/diseases/", "page") in names
    assert ("/epidemiology/", "page") in names
    assert len(LISTS) >= 15


# Digits of other scripts, superscripts, circled, signs, spaces, exponents.
NOT_ASCII_DIGITS = (
    "\uff10\uff11\uff12\uff19²³①٣۴߅१১੩૪୫௬౭೮൯๑໒༣၄႕០᠑᥆᧓᪁᭒᮳᱂꘡꣐꤁꧑꩒꯵"
    + "\U0001d7ce\U0001d7d9"
)
SYMBOLS = " \t+-\u2212.,eE_'\u00a0\u2009\u200b"


def not_a_plain_number(text: str) -> bool:
    return not (text.isascii() and text.isdigit() and 0 < len(text) <= 9)


VALUES = st.text(
    alphabet=st.sampled_from(list(NOT_ASCII_DIGITS + SYMBOLS + "0123456789")),
    min_size=1,
    max_size=8,
).filter(not_a_plain_number)


@pytest.mark.parametrize("url,param,kind", LISTS, ids=lambda v: str(v))
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=VALUES)
@example(value="²")
@example(value="①")
@example(value="\uff11")  # full-width 1
@example(value="\uff12\uff10\uff11\uff19")  # full-width 2019
@example(value="2e3")
@example(value=" 2019")
@example(value="-1")
@example(value="1.0")
def test_a_number_that_is_not_ascii_digits_is_a_400_naming_it(
    kb, url, param, kind, value
):
    response = Client().get(url, {param: value})
    assert response.status_code == 400, (url, param, value, response.status_code)
    body = response.content.decode()
    assert param in body
    if kind == "api":
        assert param in response.json().get("errors", response.json())


@pytest.mark.parametrize("url,param,kind", LISTS, ids=lambda v: str(v))
def test_a_plain_ascii_number_is_taken(kb, url, param, kind):
    value = "2019" if param == "year" else "1"
    response = Client().get(url, {param: value})
    assert response.status_code == 200, (url, param, response.content[:300])
