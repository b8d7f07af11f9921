"""Release-pinned reads: a release's frozen records, read back by resource
and key, and the differences between any two releases.

A release's JSON file (imidkb.releases) holds, per resource, the records as
they were when it was cut; releases never change, so each is parsed once per
process (an LRU of the few read last, keyed by number and checksum: a
release number that was cut again, in a test's rolled-back database, is not
mistaken for the old one).

A record is addressed by its key in the release's manifest: its slug (a
figure's id where it has no slug); a link row by its natural key, its ends'
slugs and key fields joined by "/" ("psoriasis/fatigue",
"psoriasis/MONDO:0005083", "biologics//imid" for an empty optional end). In
a URL the parts are joined by "~" instead ("psoriasis~fatigue"), so that a key
is one path segment whatever its parts are, an empty one included.
"""

import json
from dataclasses import dataclass
from functools import lru_cache

from django.http import Http404

from imidkb.releases import changelog_between, key_functions, record_key
from kbframework.models import Release

# How many parsed releases a process keeps (the curated knowledge base's
# release is about 0.5 MB of JSON; a synthetic one of 1000 diseases, tens).
PARSED_RELEASES = 4
# The separator of a link row's key parts in a URL.
URL_SEPARATOR = "~"
KEY_SEPARATOR = "/"


def url_key(key: str) -> str:
    """A record's key as one path segment ("psoriasis/fatigue" is
    "psoriasis~fatigue")."""
    return key.replace(KEY_SEPARATOR, URL_SEPARATOR)


@dataclass(frozen=True)
class FrozenRelease:
    """One release's records: per resource, in the release's order, and by
    key (the manifest's) and by the key's URL form."""

    number: int
    metadata: dict
    resources: dict[str, list[dict]]
    by_key: dict[str, dict[str, dict]]
    by_url_key: dict[str, dict[str, str]]

    def record(self, prefix: str, key: str) -> dict | None:
        return self.by_key.get(prefix, {}).get(key)

    def key_of_url(self, prefix: str, segment: str) -> str | None:
        return self.by_url_key.get(prefix, {}).get(segment)


def parse(number: int, data: bytes) -> FrozenRelease:
    document = json.loads(bytes(data))
    resources = document["resources"]
    keys = key_functions()
    by_key = {
        prefix: {keys.get(prefix, record_key)(record): record for record in records}
        for prefix, records in resources.items()
    }
    by_url_key = {
        prefix: {url_key(key): key for key in records}
        for prefix, records in by_key.items()
    }
    return FrozenRelease(
        number=number,
        metadata=document["release"],
        resources=resources,
        by_key=by_key,
        by_url_key=by_url_key,
    )


@lru_cache(maxsize=PARSED_RELEASES)
def frozen_release(number: int, checksum: str) -> FrozenRelease:
    """Release `number` (whose JSON has this SHA-256), parsed: one query
    the first time, none after."""
    data = (
        Release.objects.filter(number=number, json_sha256=checksum)
        .values_list("json_data", flat=True)
        .first()
    )
    if data is None:
        raise Http404(f"No release {number}.")
    return parse(number, data)


def changed_fields(old: dict, new: dict) -> dict[str, dict]:
    """The top-level fields of a record that differ between two releases,
    each with its value in the older ("old") and the newer ("new"); a field
    one of them does not have is left out of that side."""
    fields = {}
    for name in [*old, *(name for name in new if name not in old)]:
        if name in old and name in new and old[name] == new[name]:
            continue
        fields[name] = {
            **({"old": old[name]} if name in old else {}),
            **({"new": new[name]} if name in new else {}),
        }
    return fields


def release_diff(
    old: FrozenRelease,
    new: FrozenRelease,
    old_manifest: dict[str, dict[str, str]],
    new_manifest: dict[str, dict[str, str]],
) -> dict[str, dict]:
    """Per resource with any difference: the keys of the records `new` has
    and `old` has not (added), the other way round (retired), and the
    records both have whose content differs (changed, from the manifests),
    each with the fields that differ (from the frozen records; null if a
    release's file did not hold the record under its manifest key)."""
    changelog = changelog_between(old_manifest, new_manifest)
    prefixes = sorted({prefix for kind in changelog.values() for prefix in kind})
    resources = {}
    for prefix in prefixes:
        changed = []
        for key in changelog["changed"].get(prefix, []):
            before, after = old.record(prefix, key), new.record(prefix, key)
            fields = (
                None
                if before is None or after is None
                else changed_fields(before, after)
            )
            changed.append({"key": key, "fields": fields})
        resources[prefix] = {
            "added": changelog["added"].get(prefix, []),
            "retired": changelog["retired"].get(prefix, []),
            "changed": changed,
        }
    return resources
