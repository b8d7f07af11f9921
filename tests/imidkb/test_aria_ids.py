"""Every id that a page's markup points at (aria-describedby, aria-labelledby,
aria-controls, label for=, href="#...") exists in that page, on every HTML
page of the site: the crawl starts at the home page, follows the site's own
links, and adds each list page with a refused filter (its error state)."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls", "for")
SKIP = ("/admin/", "/api/", "/static/", "/id/")
START = [
    "/",
    "/diseases/?identifier=bad",
    "/diseases/?symptom=fatigue&kind=disease",
    "/epidemiology/?year=abc",
    "/compare/?d=rheumatoid-arthritis&d=systemic-lupus-erythematosus&d=crohns-disease&d=psoriasis",
    "/search/?q=lupsu",
    "/search/?q=" + "x" * 300,
]
MAX_PAGES = 600


class IdParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.references: list[tuple[str, str]] = []  # (attribute, id)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        for name in REFERENCES:
            if name == "for" and tag != "label":
                continue
            for target in (attrs.get(name) or "").split():
                self.references.append((name, target))
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.references.append(("href", href[1:]))
        elif tag == "a" and href:
            self.links.append(href)


def test_every_referenced_id_exists_on_every_page(kb, client):
    """No aria-describedby, aria-labelledby, label or in-page link names an id
    that the page lacks, and no id is used twice on a page."""
    queue, seen, problems = list(START), set(START), []
    while queue and len(seen) <= MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = IdParser()
        parser.feed(response.content.decode())
        ids = set(parser.ids)
        problems += [
            f"{url}: {name}={target!r} names no element"
            for name, target in parser.references
            if target not in ids
        ]
        problems += [
            f"{url}: id {i!r} used {parser.ids.count(i)} times"
            for i in ids
            if parser.ids.count(i) > 1
        ]
        problems += [f"{url}: a label reads [invalid name]"] * (
            "[invalid name]" in response.content.decode()
        )
        for href in parser.links:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith(SKIP) or parts.query or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    assert len(seen) > 50, "the crawl found too few pages"
    assert not problems, "\n".join(problems)
