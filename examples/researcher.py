"""IMID-KB from a script: everything the knowledge base has on a disease, a
batch lookup by identifiers, and a pinned data release.

    python examples/researcher.py [BASE_URL]   # default http://127.0.0.1:8000

Standard library only. tests/imidkb/test_readme_example.py runs this file,
and checks that the README shows it as it is.
"""

import hashlib
import io
import json
import sys
import urllib.parse
import urllib.request
import zipfile

SITE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
API = SITE.rstrip("/") + "/api/v1"


def get(path, **params):
    """One answer: (JSON body, headers). A 400 names the wrong parameter."""
    query = urllib.parse.urlencode(params, doseq=True)
    url = f"{API}{path}" + (f"?{query}" if query else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response), response.headers


def rows(path, **params):
    """Every row of a list, page after page."""
    body, _headers = get(path, page_size=500, **params)
    yield from body["results"]
    while body["next"]:
        with urllib.request.urlopen(body["next"], timeout=30) as response:
            body = json.load(response)
        yield from body["results"]


def download(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read(), response.headers


# 1. Everything on one disease: its record (with what is stated for the
#    groups above it, labelled by group), and every link row that names it.
slug = "crohns-disease"
disease, headers = get(f"/diseases/{slug}/")
print(f"{disease['name']} (data release {headers['X-KB-Release']})")
for group in disease["stated_for_groups"]:
    path = " > ".join(step["name"] for step in group["path"])
    print(f"  stated for the group {group['group']['name']} ({path}):")
    for row in group["symptoms"]:
        print(f"    symptom: {row['symptom']['name']}")
    for figure in group["figures"]:
        print(f"    figure {figure['slug']}: {figure['display']}")
for kind, end in (("disease-symptoms", "symptom"), ("disease-mechanisms", "mechanism")):
    found = list(rows(f"/{kind}/", disease=slug))
    print(f"  {len(found)} {kind} rows for the disease itself")
    for row in found:
        print(f"    {end}: {row[end]['name']} ({row.get('frequency') or 'not stated'})")
# Figures that answer one question together disagree: the data says so.
for figure in rows("/figures/", disease=["inflammatory-bowel-disease", slug]):
    answers = figure["disagreement"]
    note = f", one of {len(answers['figures'])} answers" if answers else ""
    print(f"  figure {figure['slug']}: {figure['display']}{note}")

# 2. A batch lookup: many identifiers in one request (repeat the parameter).
wanted = ["MONDO:0007915", "MONDO:0008383", "DOID:8577"]
for found in rows("/diseases/", identifier=wanted):
    print(f"  {found['slug']}")

# 3. Pin a release: take the newest, check its checksum, read the same table.
releases, _headers = get("/releases/")
if not releases["results"]:
    sys.exit("No data release yet: cut one with manage.py cutrelease.")
release, _headers = get(f"/releases/{releases['results'][0]['number']}/")
data, headers = download(release["downloads"]["csv_zip"])
assert hashlib.sha256(data).hexdigest() == release["csv_zip_sha256"]
assert headers["X-Checksum-SHA256"] == release["csv_zip_sha256"]
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    names = archive.namelist()
print(f"release {release['number']}: {len(names)} files, checksum verified")
# The live API says which release it reflects: "3" exactly, "3+" with edits.
_body, headers = get("/diseases/", slug=slug)
print(f"the API now serves release {headers['X-KB-Release']}")
print(release["how_to_cite"])
