import pytest
from django.urls import reverse

from tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_diseases_and_the_sources(kb, client):
    response = client.get(reverse("kb:home"))
    assert response.status_code == 200
    assert "imidkb/home.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Rheumatoid arthritis" in html
    assert "Asthma" in html  # no body system stated: listed apart
    assert "IMID-Bio-UK research consortium" in html


def test_home_hides_drafts_from_anonymous_visitors(client, db):
    DiseaseFactory(name="Draft disease", status="draft")
    assert "Draft disease" not in client.get(reverse("kb:home")).content.decode()


def test_home_query_count_is_constant(kb, wsgi, django_assert_num_queries):
    # body-system links, groups, recent changes, diseases without a system,
    # sources
    with django_assert_num_queries(6):  # the data version, then the page
        assert wsgi(reverse("kb:home")).status_code == 200
