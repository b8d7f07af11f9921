"""Search across the searchable records (registry.searchable()).

Every searchable record contributes terms: its name, abbreviations, synonyms,
older names, and its summary (or description). A term is normalised (accents
and case folded, punctuation dropped: "Sjögren's" -> "sjogrens"), and each of
its words is indexed under itself and, for words of four letters or more,
under every form with one letter deleted. A query word looks up the same keys,
so an exact word and a word one typo away (a letter missing, extra, wrong or
two letters swapped: "lupsu" -> "lupus") meet on a shared key; the candidate
is then checked in Python. Summary words are indexed under themselves only:
they match exactly, never by a typo. This runs the same on SQLite and
PostgreSQL: a plain indexed equality lookup, no database extension.

`search()` (the `search` filter of lists and the API, the compare page's
picker) looks at names only. `site_search()` (the search page) adds what a
reader also expects a name search to find:

- the records whose members match: a drug class by the names of its drugs, a
  group by its diseases (`Resource.search_members`), read from the links when
  searching, so a renamed or moved member is found under its record at once;
- the records whose summary has every query word, last;
- the records carrying an identifier the query is written as (MONDO:0005109,
  MONDO_0005109, a bare ICD-10 or ATC code: `identifier_forms()`), first.

Ranking, best first: an identifier; the whole query equals a name or
abbreviation; it equals a synonym or older name; every query word is a word of
the term; every query word is one typo from a word of the term; a member
matches; the summary has every query word. Ties go to a case-exact match
("IMiDs" the drugs before "IMIDs" the diseases), then names before synonyms,
then name order.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from kbframework.identifiers import IDENTIFIER_PATTERNS, IdentifierSystem
from kbframework.registry import registry

FUZZY_MIN_LENGTH = 4
MAX_RESULTS = 1000
MAX_WORD_LENGTH = 100  # SearchKey.word; a longer "word" is no word

FIELD_ORDER = {
    "name": 0,
    "abbreviation": 1,
    "synonym": 2,
    "former-name": 3,
    "term": 4,
    "summary": 5,
    "description": 6,
}
# Terms made of a record's prose: matched word for word, ranked last.
PROSE_FIELDS = frozenset({"summary", "description"})

IDENTIFIER_TIER = -1
MEMBER_TIER = 4
PROSE_TIER = 5


def normalize(text: str) -> str:
    """Fold case and accents, drop apostrophes and punctuation."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub("['`\u2018\u2019]", "", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def keys_for(word: str) -> set[str]:
    keys = {word}
    if len(word) >= FUZZY_MIN_LENGTH:
        keys |= deletions(word)
    return keys


def within_one_edit(a: str, b: str) -> bool:
    """Optimal string alignment distance <= 1 (insert, delete, replace, swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@dataclass(frozen=True)
class Hit:
    """Why one record matched: the term (`text`) and what it is (`field`:
    "name", "synonym", "member", "summary", "identifier"...); for a member
    found by another of its names, `via` is the name that matched."""

    label: str
    object_id: int
    text: str
    field: str
    rank: tuple
    via: str = ""


def _rank(query: str, qnorm: str, qwords: list[str], term) -> tuple | None:
    """Rank one term against the query, or None if it does not match."""
    _id, _label, _object_id, text, normalized, field = term
    words = normalized.split()
    exact_words = all(w in words for w in qwords)
    if field in PROSE_FIELDS:
        if not exact_words:
            return None
        return (PROSE_TIER, 0, FIELD_ORDER[field], "")
    if normalized == qnorm:
        tier = 0 if field in ("name", "abbreviation") else 1
    elif exact_words:
        tier = 2
    elif all(
        any(
            within_one_edit(q, w) if len(q) >= FUZZY_MIN_LENGTH else q == w
            for w in words
        )
        for q in qwords
    ):
        tier = 3
    else:
        return None
    case_exact = 0 if text.strip() == query.strip() else 1
    return (tier, case_exact, FIELD_ORDER.get(field, 9), text.casefold())


def _terms_with_word(word: str, labels, prose: bool) -> set[int]:
    """Ids of the terms having this word, or (when no name has it) a name
    with a word one typo away from it; with `prose`, summaries too."""
    from kbframework.models import SearchKey

    rows = SearchKey.objects.all()
    if labels is not None:
        rows = rows.filter(term__label__in=list(labels))
    if not prose:
        rows = rows.exclude(term__field__in=PROSE_FIELDS)
    exact = rows.filter(key=word, word=word).values_list("term_id", "term__field")
    named = {term_id for term_id, field in exact if field not in PROSE_FIELDS}
    in_prose = {term_id for term_id, field in exact if field in PROSE_FIELDS}
    if named or len(word) < FUZZY_MIN_LENGTH:
        return named | in_prose
    near = (
        rows.filter(key__in=keys_for(word))
        .exclude(term__field__in=PROSE_FIELDS)
        .values_list("term_id", "word")
    )
    return in_prose | {
        term_id for term_id, other in near if within_one_edit(word, other)
    }


def search(
    query: str, labels: Iterable[str] | None = None, *, prose: bool = False
) -> list[Hit]:
    """The best-matching term of each matching record, best first: names,
    abbreviations, synonyms and older names; with `prose`, summaries too."""
    from kbframework.models import SearchTerm

    qnorm = normalize(query)
    qwords = qnorm.split()
    if not qwords:
        return []
    candidates = None
    # Rarest first would be better still; each word costs one indexed lookup.
    for word in dict.fromkeys(qwords):
        found = _terms_with_word(word, labels, prose)
        candidates = found if candidates is None else candidates & found
        if not candidates:
            return []
    ids = sorted(candidates)
    terms = set()
    for start in range(0, len(ids), 5000):  # within every database's limits
        terms |= set(
            SearchTerm.objects.filter(pk__in=ids[start : start + 5000]).values_list(
                "pk", "label", "object_id", "text", "normalized", "field"
            )
        )
    best: dict[tuple[str, int], Hit] = {}
    for term in terms:
        rank = _rank(query, qnorm, qwords, term)
        if rank is None:
            continue
        key = (term[1], term[2])
        if key not in best or rank < best[key].rank:
            best[key] = Hit(term[1], term[2], term[3], term[5], rank)
    return sorted(best.values(), key=lambda hit: hit.rank)[:MAX_RESULTS]


def site_search(query: str, visibility) -> list[Hit]:
    """What the search page lists: the records carrying the identifier the
    query is written as; records by name, then by a member's name, then by
    their summary; the best reason of each record, best first. Member and
    identifier links are read as this reader may see them (`visibility`);
    the records themselves are restricted by the caller."""
    hits = search(query, prose=True)
    best = {(hit.label, hit.object_id): hit for hit in hits}

    def offer(hit: Hit) -> None:
        key = (hit.label, hit.object_id)
        if key not in best or hit.rank < best[key].rank:
            best[key] = hit

    by_label: dict[str, list[Hit]] = {}
    for hit in hits:
        if hit.field not in PROSE_FIELDS:
            by_label.setdefault(hit.label, []).append(hit)
    forms = identifier_forms(query)
    for resource in registry.searchable():
        members = resource.search_members
        if members is not None and by_label.get(members.label):
            found = {hit.object_id: hit for hit in by_label[members.label]}
            for member_id, record_id, member_name in members.pairs(
                list(found), visibility
            ):
                member = found[member_id]
                offer(
                    Hit(
                        resource.label,
                        record_id,
                        member_name,
                        "member",
                        (MEMBER_TIER, *member.rank),
                        member.text if member.text != member_name else "",
                    )
                )
        if forms and resource.search_identifiers is not None:
            for record_id, identifier, exact in resource.search_identifiers(
                forms, visibility
            ):
                field = "identifier" if exact else "loose-identifier"
                offer(
                    Hit(
                        resource.label,
                        record_id,
                        identifier,
                        field,
                        (IDENTIFIER_TIER, 0 if exact else 1, identifier),
                    )
                )
    return sorted(best.values(), key=lambda hit: hit.rank)[:MAX_RESULTS]


# How people write the systems' prefixes (upper-cased), and the prefix the
# knowledge base stores.
PREFIXES = {
    "MONDO": "MONDO",
    "DOID": "DOID",
    "ICD10": "ICD10",
    "ICD-10": "ICD10",
    "ICD10WHO": "ICD10",
    "ICD10CM": "ICD10CM",
    "ICD-10-CM": "ICD10CM",
    "ICD11": "icd11.foundation",
    "ICD11.FOUNDATION": "icd11.foundation",
    "MESH": "MESH",
    "ORPHA": "ORPHA",
    "ORPHANET": "ORPHA",
    "UMLS": "UMLS",
    "HP": "HP",
    "HPO": "HP",
    "ATC": "ATC",
    "CHEBI": "CHEBI",
}
# Systems whose local part is a fixed number of digits, which people may
# write without the leading zeros.
PADDED = {"MONDO": 7, "HP": 7}
# Codes recognised without a prefix: ICD-10 (WHO or CM), ATC, MeSH, UMLS.
BARE_CODES = [
    (r"[A-Z]\d{2}(\.\d{1,4})?", ("ICD10", "ICD10CM")),
    (r"[A-Z]\d{2}[A-Z]([A-Z](\d{2})?)?", ("ATC",)),
    (r"[A-Z]\d{2}", ("ATC",)),
    (r"D\d{6}", ("MESH",)),
    (r"C\d{7}", ("UMLS",)),
]


PREFIXED = re.compile(r"([A-Za-z][A-Za-z0-9.\-]*?)[:_]([A-Za-z0-9.]+)")


def prefixed_curie(text: str) -> str | None:
    """The CURIE, as the knowledge base writes it, of an identifier written
    with its system's prefix: "MONDO:0005109", "mondo_5109", an OBO PURL
    ending in one ("http://purl.obolibrary.org/obo/MONDO_0005109"). None for
    anything else (a bare code, an unknown prefix, a malformed local part)."""
    text = text.strip()
    if "://" in text:
        text = re.split(r"[/#=]", text.rstrip("/"))[-1]
    match = PREFIXED.fullmatch(text)
    if not match:
        return None
    prefix = PREFIXES.get(match.group(1).upper())
    if not prefix:
        return None
    local = match.group(2).upper()
    if prefix in PADDED and local.isdigit():
        local = local.zfill(PADDED[prefix])
    curie = f"{prefix}:{local}"
    return curie if re.fullmatch(_pattern_of(curie), curie) else None


def identifier_forms(query: str) -> set[str]:
    """The identifiers (CURIEs as the knowledge base writes them) a query
    may be: "MONDO:0005109", "mondo_0005109", " MONDO:5109 ", an OBO or
    Orphanet address ending in one, a bare ICD-10 code ("M06.9", either
    edition) or ATC code ("L04AX03"). Well-formed ones only; none for text."""
    text = query.strip()
    if not text or len(text) > 120 or any(ch.isspace() for ch in text):
        return set()
    if "://" in text:
        text = re.split(r"[/#=]", text.rstrip("/"))[-1]
    forms = set()
    match = PREFIXED.fullmatch(text)
    if match:
        curie = prefixed_curie(text)
        if curie:
            forms.add(curie)
    else:
        code = text.upper()
        for pattern, systems in BARE_CODES:
            if re.fullmatch(pattern, code):
                forms |= {f"{system}:{code}" for system in systems}
    return {form for form in forms if re.fullmatch(_pattern_of(form), form)}


def _pattern_of(form: str) -> str:
    """The pattern of this form's system (kbframework.identifiers)."""
    prefix = form.split(":", 1)[0]
    system = IdentifierSystem.ICD11 if prefix == "icd11.foundation" else prefix
    return IDENTIFIER_PATTERNS.get(system, r"(?!)")


def terms_of(obj) -> list[tuple[str, str]]:
    """(field, text) pairs a record is found by."""
    terms = [("name", obj.name)]
    for field, attr in (
        ("abbreviation", "abbreviations"),
        ("synonym", "synonyms"),
        ("former-name", "former_names"),
    ):
        terms += [(field, text) for text in getattr(obj, attr, None) or []]
    extra = getattr(obj, "extra_search_terms", None)
    if extra:
        terms += [("term", text) for text in extra() if text]
    for field in ("summary", "description"):
        if getattr(obj, field, ""):
            terms.append((field, getattr(obj, field)))
    return terms


def prose_of(obj) -> str:
    """A record's summary, or its description when it has no summary field."""
    return getattr(obj, "summary", "") or getattr(obj, "description", "") or ""


def one_line(text: str, limit: int = 160) -> str:
    """A summary on one line: all of it if short, else its first sentence if
    that fits, else its first words up to `limit` characters and an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    sentence = re.match(r"(.+?[.!?])\s", text)
    if sentence and len(sentence.group(1)) <= limit:
        return sentence.group(1)
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def excerpt(text: str, query: str, around: int = 12) -> str:
    """The sentence of `text` with the first word the query names, shortened
    to the words around it (ellipses where cut), for a summary hit whose
    shortened summary leaves that word out."""
    qwords = set(normalize(query).split())
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join((text or "").split())):
        words = sentence.split()
        for index, word in enumerate(words):
            if qwords & set(normalize(word).split()):
                start, end = max(0, index - around), index + around + 1
                before = "\u2026" if start > 0 else ""
                after = "\u2026" if end < len(words) else ""
                return before + " ".join(words[start:end]) + after
    return one_line(text)


def _build(objs) -> None:
    from kbframework.models import SearchKey, SearchTerm

    terms = []
    for obj in objs:
        label = obj._meta.label_lower
        seen = set()
        for field, text in terms_of(obj):
            normalized = normalize(text)
            if not normalized or (normalized, text) in seen:
                continue
            seen.add((normalized, text))
            terms.append(
                SearchTerm(
                    label=label,
                    object_id=obj.pk,
                    text=text,
                    normalized=normalized,
                    field=field,
                )
            )
    # SQLite (3.35+) and PostgreSQL both return the new ids from bulk_create.
    SearchTerm.objects.bulk_create(terms, batch_size=2000)
    SearchKey.objects.bulk_create(
        [
            SearchKey(key=key, word=word, term_id=term.pk)
            for term in terms
            for word in set(term.normalized.split())
            if len(word) <= MAX_WORD_LENGTH
            for key in ({word} if term.field in PROSE_FIELDS else keys_for(word))
        ],
        batch_size=5000,
    )


def index_object(obj) -> None:
    """Replace the search terms of one record."""
    from kbframework.models import SearchTerm

    with transaction.atomic():
        SearchTerm.objects.filter(
            label=obj._meta.label_lower, object_id=obj.pk
        ).delete()
        _build([obj])


def unindex_object(obj) -> None:
    from kbframework.models import SearchTerm

    SearchTerm.objects.filter(label=obj._meta.label_lower, object_id=obj.pk).delete()


def rebuild_index() -> int:
    """Rebuild the whole search index; return the number of terms."""
    from kbframework.models import SearchKey, SearchTerm

    with transaction.atomic():
        SearchKey.objects.all().delete()
        SearchTerm.objects.all().delete()
        for resource in registry.searchable():
            _build(resource.model._default_manager.iterator(chunk_size=2000))
        return SearchTerm.objects.count()
