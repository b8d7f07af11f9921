"""Every HTML page, in a real browser: it loads, asks nothing of any other host,
logs no error and has no serious or critical accessibility violation, at
1280 px wide and again at 360 px (a small phone), where nothing may make the
page scroll sideways.

Add a page to PAGES and it gets every check."""

from dataclasses import dataclass

import pytest

from tests.browser.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    axe_violations,
    save_screenshot,
)

# The databases are set up for these tests; each runs in a transaction that is
# rolled back, over the data `kb_server` committed once.
# What only a browser checks (layout at 360 px, axe, the content security
# policy, console errors) does not depend on the database: checked in the
# SQLite run. On PostgreSQL the same pages are read without a browser (the
# visibility crawl, the page and ARIA tests).
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_run_only]


@dataclass(frozen=True)
class SitePage:
    """A page to check. `h1`: it must have an <h1>. `axe`: scan it with axe-core
    (off only for third-party pages whose markup the project does not write).
    `wait_until`: "load" for the site's pages, which run no script (every
    request they make is made by then); "networkidle" for pages whose script
    fetches more after loading. `phone`: check it at PHONE_WIDTH too (axe
    included). `wide_axe`: scan it with axe at 1280 px as well: axe reads the
    document and its colours, which do not change with the width; what does
    (reflow, scrolling boxes, target sizes) the phone scan covers on every
    page, so the wide scan runs on one page of each template family only
    (it took a third of the browser tests' time)."""

    path: str
    h1: bool = True
    axe: bool = True
    wait_until: str = "load"
    phone: bool = True
    wide_axe: bool = False


PHONE_WIDTH = 360
LONG_WORD = "x" * 300


# One page per route at least (test_every_route_of_the_site_has_a_page_in_the_list),
# and the pages whose layout is hardest: the longest disease pages, a class
# with subclasses, the four-disease compare, a 300-character search.
PAGES = [
    SitePage("/", wide_axe=True),
    SitePage("/diseases/", wide_axe=True),
    SitePage("/diseases/systemic-lupus-erythematosus/"),
    SitePage("/diseases/imid/"),
    SitePage("/symptoms/"),
    SitePage("/symptoms/fatigue/", wide_axe=True),
    SitePage("/mechanisms/"),
    SitePage("/mechanisms/inflammation/"),
    SitePage("/body-systems/"),
    SitePage("/body-systems/liver/"),
    SitePage("/drug-classes/"),
    SitePage("/diseases/rheumatoid-arthritis/", wide_axe=True),
    SitePage("/diseases/crohns-disease/"),
    SitePage("/conditions/"),
    SitePage("/conditions/premature-death/", wide_axe=True),
    SitePage("/drug-classes/immunosuppressants/", wide_axe=True),
    SitePage("/drugs/"),
    SitePage("/drugs/ciclosporin/", wide_axe=True),
    SitePage("/drugs/methotrexate/"),
    SitePage("/epidemiology/", wide_axe=True),
    SitePage("/epidemiology/studies/imid-new-cases-split-2019/"),
    SitePage(
        "/compare/?d=rheumatoid-arthritis&d=systemic-lupus-erythematosus"
        "&d=crohns-disease&d=psoriasis",
        wide_axe=True,
    ),
    SitePage("/search/?q=lupsu", wide_axe=True),
    SitePage(f"/search/?q={LONG_WORD}"),
    SitePage("/sources/"),
    SitePage("/sources/imid-bio-uk/", wide_axe=True),
    SitePage("/about/"),
    # Swagger UI (drf-spectacular-sidecar): its markup is not ours to fix.
    SitePage("/api/docs/", h1=False, axe=False, wait_until="networkidle", phone=False),
]


def site_routes() -> set[str]:
    """Every route of the site's HTML pages (the URL conf, less the admin,
    the API and the routes that serve no page)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    skipped = (
        "admin/",
        "api/v1/",
        "api/schema/",
        "^api/",
        "healthz",
        "favicon",
        "sitemap",
        # Redirects (303) to the pages above, or a 300/400/404 answer: never
        # a page of their own (tests/imidkb/test_resolver.py).
        "id/",
        "infobutton/",
    )
    return {r for r in walk(get_resolver().url_patterns) if not r.startswith(skipped)}


def test_every_route_of_the_site_has_a_page_in_the_list(db):
    """PAGES reaches every route of the URL conf: a new page gets the
    browser checks (360 px, axe) or this fails."""
    from django.urls import resolve

    covered = {str(resolve(p.path.split("?")[0]).route) for p in PAGES}
    assert site_routes() - covered == set()


def page_id(site_page: SitePage) -> str:
    return site_page.path.replace(LONG_WORD, "<300 x>")


@pytest.mark.parametrize("site_page", PAGES, ids=page_id)
def test_page(site_page, live, page, page_log):
    """The page answers 200, has its <h1>, requests nothing from any other host,
    logs no console error and has no serious or critical axe violation; at
    360 px wide it is no wider than the screen and still has no serious or
    critical axe violation."""
    response = page.goto(live.url + site_page.path, wait_until=site_page.wait_until)
    save_screenshot(page, page_id(site_page))
    problems = []

    if response is None or response.status != 200:
        problems.append(f"status {response and response.status}, not 200")
    if site_page.h1 and page.locator("h1").count() == 0:
        problems.append("no <h1>")
    problems += [
        f"request to another host: {url}"
        for url in page_log.requests
        if not url.startswith(live.url + "/")
    ]
    problems += [f"console error: {error}" for error in page_log.console_errors]
    if site_page.axe and (site_page.wide_axe or not site_page.phone):
        problems += [f"axe: {violation}" for violation in axe_violations(page)]
    if site_page.phone:
        # The same page, reflowed for a phone: media and container queries
        # apply on resize, so there is no need to load it again.
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
        save_screenshot(page, f"{page_id(site_page)} {PHONE_WIDTH}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            problems.append(f"{width} px wide at {PHONE_WIDTH} px: scrolls sideways")
        if site_page.axe:
            problems += [
                f"axe at {PHONE_WIDTH} px: {violation}"
                for violation in axe_violations(page)
            ]

    assert not problems, "\n".join([page_id(site_page), *problems])


def test_stylesheet_is_served(live, page):
    """The live server serves static files: the site's stylesheet applies."""
    response = page.goto(live.url + "/")
    assert response is not None
    assert response.status == 200
    sheets = page.evaluate(
        "[...document.styleSheets].map(s => [s.href, s.cssRules.length])"
    )
    assert any(
        href and href.endswith("/static/css/site.css") and rules > 0
        for href, rules in sheets
    ), sheets


def test_search_from_the_header_box(live, page):
    """A clinician types a misspelt name in the box on any page and lands on
    the disease."""
    page.goto(live.url + "/drugs/")
    page.get_by_label("Search the knowledge base").fill("lupsu")
    page.get_by_label("Search the knowledge base").press("Enter")
    page.wait_for_url("**/search/?q=lupsu")
    page.get_by_role("link", name="Systemic lupus erythematosus").click()
    page.wait_for_url("**/diseases/systemic-lupus-erythematosus/")
    assert page.locator("h1").inner_text().startswith("Systemic lupus erythematosus")


def test_search_by_identifier_lands_on_the_record(live, page):
    """An identifier pasted in the header box lands on its record."""
    page.goto(live.url + "/")
    box = page.get_by_label("Search the knowledge base")
    box.fill("mondo_0007915")
    box.press("Enter")
    page.wait_for_url("**/diseases/systemic-lupus-erythematosus/")
    assert page.locator("h1").inner_text().startswith("Systemic lupus erythematosus")


@pytest.mark.parametrize(
    ("path", "heading", "stated"),
    [
        # A member disease: the treatments of IBD and of the IMID group.
        ("/diseases/crohns-disease/", "Treatments", "Stated for the group"),
        # A drug: what is stated for the classes above its own.
        ("/drugs/ciclosporin/", "Stated for the class", "Higher risk of infections"),
        # A class: the drugs of its subclasses, and the class above it.
        ("/drug-classes/immunosuppressants/", "In its subclasses", "Ciclosporin"),
    ],
)
def test_inherited_sections_are_shown(live, page, path, heading, stated):
    """What the sources state for a group or class above the record is on
    the page, visible (not folded away), under a heading naming it."""
    page.goto(live.url + path)
    assert page.get_by_role("heading", name=heading).first.is_visible()
    inherited = page.locator(".inherited, section[aria-labelledby=drugs]")
    inherited = inherited.filter(has_text=stated).first
    assert inherited.is_visible()
    save_screenshot(page, path + "inherited")


def test_compare_from_a_disease_page(live, page):
    """ "Compare with..." on a disease page opens the side-by-side matrix."""
    page.goto(live.url + "/diseases/systemic-lupus-erythematosus/")
    page.get_by_label("Compare Systemic lupus erythematosus with").fill("Sjogren")
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_url("**/compare/?d=systemic-lupus-erythematosus&d=sjogrens-syndrome")
    shared = page.locator("table.matrix tr.shared")
    assert "Fatigue" in shared.first.inner_text()
    save_screenshot(page, "compare-from-disease")


def test_keyboard_users_can_skip_to_the_content(live, page):
    page.goto(live.url + "/diseases/psoriasis/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()


def test_the_admin_runs_under_the_content_security_policy(live, page, page_log):
    """An editor logs in and opens a change form, its history and the review
    queue: no CSP violation (or any other console error) on the way."""
    page.goto(live.url + "/admin/login/")
    page.fill("#id_username", ADMIN_USERNAME)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live.url + "/admin/")
    for path in (
        "/admin/diseases/disease/",
        "/admin/diseases/symptom/?status__exact=published",
        "/admin/review-queue/",
    ):
        page.goto(live.url + path, wait_until="networkidle")
    page.goto(live.url + "/admin/diseases/disease/")
    page.get_by_role("link", name="Psoriasis", exact=True).click()
    page.wait_for_load_state("networkidle")
    save_screenshot(page, "admin-disease-change")
    page.get_by_role("link", name="History").click()
    page.wait_for_load_state("networkidle")
    assert page_log.console_errors == []
