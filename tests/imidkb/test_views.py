import re

import pytest
from django.urls import reverse

from diseases.models import BodySystem, Disease, DiseaseBodySystem
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
    # body-system links, diseases without a system, groups, recent changes
    # (one aggregate while every disease has the same time), sources
    with django_assert_num_queries(6):  # the data version, then the page
        assert wsgi(reverse("kb:home")).status_code == 200


def test_home_lists_every_disease_with_no_body_system(kb, client):
    """No silent cap: psoriatic arthritis, one of the diseases with no body
    system stated, is listed; conditions and outcomes are on their own list,
    linked from the home page."""
    html = client.get(reverse("kb:home")).content.decode()
    section = html.split("No body system stated", 1)[1].split("</ul>", 1)[0]
    unplaced = (
        Disease.objects.filter(body_system_links__isnull=True)
        .exclude(kind__in=[Disease.Kind.GROUP, Disease.Kind.CONDITION])
        .values_list("slug", flat=True)
    )
    assert len(unplaced) > 8
    for slug in unplaced:
        assert f'href="/diseases/{slug}/"' in section
    assert "Psoriatic arthritis" in section
    assert "/conditions/disability/" not in section
    assert 'href="/conditions/"' in html


def test_home_and_n_more_links_to_every_disease_of_the_system(kb, client):
    liver = BodySystem.objects.get(slug="liver")
    for _ in range(14):
        DiseaseBodySystem.objects.create(disease=DiseaseFactory(), body_system=liver)
    html = client.get(reverse("kb:home")).content.decode()
    link = re.search(r'<a href="([^"]+)">and (\d+) more</a>', html)
    assert link.group(2) == "4"  # 16 diseases, 12 shown
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert listed.context["paginator"].count == 16


def test_home_says_when_every_disease_changed_at_the_same_time(kb, client):
    """After a load every record carries the fixtures' time: no order is
    invented."""
    html = client.get(reverse("kb:home")).content.decode()
    count = Disease.objects.count()
    assert (
        f"All {count} diseases and conditions were last changed at the same time"
        in html
    )


def test_home_lists_recent_changes_newest_first(kb, client):
    psoriasis = Disease.objects.get(slug="psoriasis")
    asthma = Disease.objects.get(slug="asthma")
    for disease in (psoriasis, asthma):  # asthma saved last: newest
        disease.save()
    html = client.get(reverse("kb:home")).content.decode()
    recent = html.split('id="recent"', 1)[1].split("</section>", 1)[0]
    names = re.findall(r'<li><a href="[^"]+">(.*?)</a>', recent)
    assert names == ["Asthma", "Psoriasis"]
    others = Disease.objects.count() - 2
    assert f"The other {others} diseases and conditions were last changed" in recent


def test_the_main_menu_links_the_body_systems(kb, client):
    html = client.get(reverse("kb:about")).content.decode()
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{reverse("diseases:bodysystem-list")}">Body systems</a>' in nav
