"""Name search across the searchable records (registry.searchable()).

Every searchable record contributes terms (its name, abbreviations, synonyms,
older names). A term is normalised (accents and case folded, punctuation dropped:
"Sjögren's" -> "sjogrens"), and each of its words is indexed under itself and,
for words of four letters or more, under every form with one letter deleted. A
query word looks up the same keys, so an exact word and a word one typo away
(a letter missing, extra, wrong or two letters swapped: "lupsu" -> "lupus") meet
on a shared key; the candidate is then checked in Python. This runs the same on
SQLite and PostgreSQL: a plain indexed equality lookup, no database extension.

Ranking, best first: the whole query equals a name or abbreviation; it equals a
synonym or older name; every query word is a word of the term; every query word
is one typo from a word of the term. Ties go to a case-exact match ("IMiDs" the
drugs before "IMIDs" the diseases), then names before synonyms, then name order.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from kbframework.registry import registry

FUZZY_MIN_LENGTH = 4
MAX_RESULTS = 1000

FIELD_ORDER = {"name": 0, "abbreviation": 1, "synonym": 2, "former-name": 3, "term": 4}


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
    label: str
    object_id: int
    text: str
    field: str
    rank: tuple


def _rank(query: str, qnorm: str, qwords: list[str], term) -> tuple | None:
    """Rank one term against the query, or None if it does not match."""
    _id, _label, _object_id, text, normalized, field = term
    words = normalized.split()
    exact_words = all(w in words for w in qwords)
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


def _terms_with_word(word: str, labels) -> set[int]:
    """Ids of the terms having this word, or (when none has it) a word one
    typo away from it."""
    from kbframework.models import SearchKey

    rows = SearchKey.objects.all()
    if labels is not None:
        rows = rows.filter(term__label__in=list(labels))
    exact = set(rows.filter(key=word, word=word).values_list("term_id", flat=True))
    if exact or len(word) < FUZZY_MIN_LENGTH:
        return exact
    near = rows.filter(key__in=keys_for(word)).values_list("term_id", "word")
    return {term_id for term_id, other in near if within_one_edit(word, other)}


def search(query: str, labels: Iterable[str] | None = None) -> list[Hit]:
    """The best-matching term of each matching record, best first."""
    from kbframework.models import SearchTerm

    qnorm = normalize(query)
    qwords = qnorm.split()
    if not qwords:
        return []
    candidates = None
    # Rarest first would be better still; each word costs one indexed lookup.
    for word in dict.fromkeys(qwords):
        found = _terms_with_word(word, labels)
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
    return terms


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
            for key in keys_for(word)
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
