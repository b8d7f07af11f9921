"""Reads of diseases, symptoms, mechanisms and body systems.

Each read takes the reader (`user`): see kbframework.visibility.
"""

from collections import defaultdict, namedtuple

from django.db import connections
from django.db.models import (
    Count,
    Prefetch,
    Q,
    prefetch_related_objects,
)

from kbframework import readmodel
from kbframework.inheritance import attach, edges
from kbframework.querysets import (
    NamedRecordQuerySet,
    NaturalKeyQuerySet,
    citations_prefetch,
)
from kbframework.registry import registry
from kbframework.visibility import Visibility, placeholders


class BodySystemQuerySet(NaturalKeyQuerySet):
    """Body systems are a vocabulary: always visible, never drafted; the
    diseases they list are restricted to what the reader may see."""

    def for_list(self, user) -> "BodySystemQuerySet":
        """With `disease_count`: how many diseases the reader may see."""
        from diseases.models import DiseaseBodySystem

        visible = Visibility.of(user).condition(DiseaseBodySystem, "disease_links")
        return (
            self.restrict(user)
            .annotate(disease_count=Count("disease_links", filter=visible))
            .order_by("name")
        )

    def for_detail(self, user) -> "BodySystemQuerySet":
        from diseases.models import DiseaseBodySystem

        visibility = Visibility.of(user)
        return self.restrict(user).prefetch_related(
            Prefetch(
                "disease_links",
                queryset=visibility.records(
                    DiseaseBodySystem.objects.select_related("disease")
                ).prefetch_related(citations_prefetch()),
            )
        )


# A record named by its slug and name (what a link shows), read without it.
Named = namedtuple("Named", ["slug", "name"])

# How much more being of one group weighs than sharing an item as specific.
FAMILY_WEIGHT = 2


class DiseaseQuerySet(NamedRecordQuerySet):
    def for_list(self, user) -> "DiseaseQuerySet":
        from diseases.models import DiseaseBodySystem, DiseaseMembership, DiseaseXref

        visibility = Visibility.of(user)
        return self.restrict(user).prefetch_related(
            Prefetch(
                "parent_links",
                queryset=visibility.records(
                    DiseaseMembership.objects.select_related("parent")
                ),
            ),
            Prefetch(
                "body_system_links",
                queryset=DiseaseBodySystem.objects.select_related("body_system"),
            ),
            Prefetch("xrefs", queryset=DiseaseXref.objects.all()),
        )

    def for_detail(self, user, stated: bool = True) -> "DiseaseQuerySet":
        """Everything a disease's page and API detail show: its own links, the
        symptoms stated for its groups, and the sections other apps register
        for it (registry.sections(Disease): treatments, figures...).

        `stated=False` leaves out what the sources state for it (symptoms,
        mechanisms, relations, sections): with_groups_above(..., self) then
        reads those for the disease and its groups together, one query per
        kind for all of them."""
        from diseases.models import (
            DiseaseBodySystem,
            DiseaseMembership,
            DiseaseSymptom,
            DiseaseXref,
        )

        visibility = Visibility.of(user)
        visible = visibility.records
        cited = citations_prefetch
        return self.restrict(user).prefetch_related(
            cited(),
            Prefetch(
                "parent_links",
                queryset=visible(
                    DiseaseMembership.objects.select_related("parent")
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "member_links",
                queryset=visible(
                    DiseaseMembership.objects.select_related("member")
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "body_system_links",
                queryset=DiseaseBodySystem.objects.select_related(
                    "body_system"
                ).prefetch_related(cited()),
            ),
            Prefetch("xrefs", queryset=DiseaseXref.objects.all()),
            *(self.stated_prefetches(visibility) if stated else []),
            # Its groups' symptoms, one level up (group_symptoms in a
            # release); pages and the API's detail read every level above
            # through with_groups_above().
            *(
                [
                    Prefetch(
                        "parent_links__parent__symptom_links",
                        queryset=visible(
                            DiseaseSymptom.objects.select_related("symptom")
                        ).prefetch_related(cited()),
                    )
                ]
                if stated
                else []
            ),
        )

    def stated_prefetches(self, visibility) -> list[Prefetch]:
        """What the sources state for a disease (or group) and a member's
        page shows again under "stated for <group>": symptoms, mechanisms,
        relations and the sections other apps register (treatments,
        figures)."""
        from diseases.models import (
            Disease,
            DiseaseMechanism,
            DiseaseRelation,
            DiseaseSymptom,
        )

        visible = visibility.records
        cited = citations_prefetch
        return [
            Prefetch(
                "symptom_links",
                queryset=visible(
                    DiseaseSymptom.objects.select_related("symptom")
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "mechanism_links",
                queryset=visible(
                    DiseaseMechanism.objects.select_related("mechanism")
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "relations_out",
                queryset=visible(
                    DiseaseRelation.objects.select_related("target")
                ).prefetch_related(cited()),
            ),
            Prefetch(
                "relations_in",
                queryset=visible(
                    DiseaseRelation.objects.select_related("subject")
                ).prefetch_related(cited()),
            ),
            *(
                prefetch
                for section in registry.sections(Disease)
                for prefetch in section.prefetch(visibility)
            ),
        ]

    def with_groups_above(self, diseases: list, user, stated: bool = False) -> list:
        """Set `disease.above` on each disease: the groups above it (its
        groups, theirs, and so on; nearest first), each with what the
        sources state for it prefetched; with `stated`, the diseases' own
        stated links too (read with for_detail(user, stated=False)). A
        constant number of queries (the membership rows on the way up, the
        groups, one per kind of stated link) whatever the number of diseases
        or the depth of the groups."""
        from diseases.models import DiseaseMembership

        visibility = Visibility.of(user)
        pairs = edges(
            visibility,
            DiseaseMembership.objects.all(),
            "member",
            "parent",
            [disease.pk for disease in diseases],
        )
        attach(diseases, pairs, self.model.objects.restrict(user))
        groups = {above.record.pk: above.record for d in diseases for above in d.above}
        prefetch_related_objects(
            [*(diseases if stated else []), *groups.values()],
            *self.stated_prefetches(visibility),
        )
        return diseases

    def related_to(self, disease, user, limit: int = 10) -> list[dict]:
        """Other diseases the user may see that mean something beside this
        one: its family first (its members; the other members of its groups,
        the smallest group first), then diseases sharing what the sources
        state for both (registry.shared_ends(Disease): symptoms, mechanisms,
        drug classes), each shared item weighted by how specific it is: one
        stated for nearly every disease (inflammation) counts for little,
        one stated for two counts for much (inverse document frequency).
        Conditions and outcomes (infections, disability) and groups outside
        the family are left out. A constant number of queries.

        The disease's own ends are read first (one query) and passed as
        lists, and the other diseases' visibility is a join, not `disease IN
        (visible diseases)`: the database then starts from the few shared
        ends, not from every disease (SQLite at 10,000 diseases: 30 ms -> 1 ms
        for the three reads).
        """
        import math

        from diseases.models import DiseaseMembership

        visibility = Visibility.of(user)
        ends = {shared.key: shared for shared in registry.shared_ends(self.model)}
        # Each kind's visible links as (kb_t: disease, kb_e: end, its slug
        # and name), compiled once per process (Visibility.rows_sql): the
        # reads below are SQL over them, one query each.
        links = {
            key: visibility.rows_sql(
                f"related {key}",
                shared.links,
                {
                    "kb_t": f"{shared.target_field}_id",
                    "kb_e": f"{shared.end}_id",
                    "kb_slug": f"{shared.end}__slug",
                    "kb_name": f"{shared.end}__name",
                },
                self.db,
            )
            for key, shared in ends.items()
        }

        def over(key, select, where, where_params=(), select_params=()):
            """A SELECT over a kind's visible links (`s`): (SQL, params)."""
            sql, params = links[key]
            return (
                f"SELECT {select} FROM ({sql}) s WHERE {where}",
                [*select_params, *params, *where_params],
            )

        def read(parts) -> list:
            """The rows of the SELECTs `parts`, as one query (UNION ALL)."""
            parts = list(parts)
            if not parts:
                return []
            with connections[self.db].cursor() as cursor:
                cursor.execute(
                    " UNION ALL ".join(sql for sql, _params in parts),
                    [value for _sql, params in parts for value in params],
                )
                return cursor.fetchall()

        own = defaultdict(set)
        for kind, end_id in read(
            over(key, "%s, s.kb_e", "s.kb_t = %s", [disease.pk], [key]) for key in ends
        ):
            own[kind].add(end_id)
        mine = {key: sorted(own[key]) for key in ends if own[key]}

        # Family: the groups this disease is in, their members, and its own
        # members (one query).
        memberships = visibility.records(DiseaseMembership.objects.order_by())
        own_groups = memberships.filter(member=disease).values("parent_id")
        family_rows = list(
            memberships.filter(
                Q(parent_id__in=own_groups) | Q(parent=disease)
            ).values_list("parent_id", "member_id", "parent__name")
        )
        group_ids = {
            parent_id
            for parent_id, member_id, _name in family_rows
            if member_id == disease.pk
        }
        group_size = defaultdict(int)
        for parent_id, _member_id, _name in family_rows:
            group_size[parent_id] += 1
        # disease -> (size of the smallest group shared, why); a member of
        # this group counts as one of a group of one.
        family: dict[int, tuple[int, str]] = {}
        for parent_id, member_id, parent_name in family_rows:
            if member_id == disease.pk:
                continue
            if parent_id == disease.pk:
                size, why = 1, "One of its members"
            else:
                size, why = group_size[parent_id], f"Also in {parent_name}"
            if member_id not in family or size < family[member_id][0]:
                family[member_id] = (size, why)

        # How many visible diseases state each of its ends (itself among
        # them): an end's weight (one query).
        total = max(self.restrict(user).count(), 2)
        readmodel.note_count_read(self.model)
        weights: dict[tuple[str, int], float] = {
            (key, end_id): math.log(total / n)
            for key, end_id, n in read(
                over(
                    key,
                    "%s, s.kb_e, COUNT(DISTINCT s.kb_t)",
                    f"s.kb_e IN ({placeholders(ids)}) GROUP BY s.kb_e",
                    ids,
                    [key],
                )
                for key, ids in mine.items()
            )
        }
        family_score = {
            pk: FAMILY_WEIGHT * math.log(total / min(size, total))
            for pk, (size, _why) in family.items()
        }
        shared_score = self._shared_scores(
            {
                key: over(
                    key,
                    "DISTINCT s.kb_t, s.kb_e",
                    f"s.kb_e IN ({placeholders(ids)}) AND s.kb_t <> %s",
                    [*ids, disease.pk],
                )
                for key, ids in mine.items()
            },
            weights,
            family,
            group_ids,
            limit,
        )
        # Its own groups are on the page already ("Part of").
        candidates = (set(shared_score) | set(family)) - group_ids
        kinds = self.model.Kind
        # Plain rows: only the diseases shown are made instances, so that a
        # public document reads (kbframework.readmodel) what it shows, not
        # every candidate; a candidate's rename or publication moves it
        # among them, and deletes the documents of what it links to.
        fields = ["id", "slug", "name", "kind"]
        rows = {
            row[0]: row
            for row in self.restrict(user)
            .filter(pk__in=sorted(candidates))
            .values_list(*fields)
            if row[0] in family or row[3] in (kinds.DISEASE, kinds.SUBTYPE)
        }
        score = {
            pk: shared_score.get(pk, 0.0) + family_score.get(pk, 0.0) for pk in rows
        }

        def order(pk):
            return (-round(score[pk], 6), rows[pk][2])

        ranked = sorted(rows, key=order)[:limit]
        names = {pk: self.model.from_db(self.db, fields, rows[pk]) for pk in ranked}
        # What each shown disease shares with it, the most specific first:
        # they say most about the pair (one query).
        shared_items = defaultdict(lambda: {key: [] for key in ends})
        for key, pk, end_id, slug, name in read(
            over(
                key,
                "DISTINCT %s, s.kb_t, s.kb_e, s.kb_slug, s.kb_name",
                f"s.kb_e IN ({placeholders(ids)})"
                f" AND s.kb_t IN ({placeholders(ranked)})",
                [*ids, *ranked],
                [key],
            )
            for key, ids in (mine.items() if ranked else ())
        ):
            shared_items[pk][key].append((-weights[(key, end_id)], name, slug))
        titles = {key: shared.title or key for key, shared in ends.items()}
        result = []
        for pk in ranked:
            items = {
                key: [(slug, name) for _w, name, slug in sorted(found)]
                for key, found in shared_items[pk].items()
            }
            reasons = [family[pk][1]] if pk in family else []
            for key, pairs in items.items():
                if not pairs:
                    continue
                shown = ", ".join(name for _slug, name in pairs[:4])
                if len(pairs) > 4:
                    shown += f" and {len(pairs) - 4} more"
                reasons.append(f"shared {titles[key].lower()}: {shown}")
            result.append(
                {
                    "disease": names[pk],
                    "score": sum(len(v) for v in items.values()),
                    "weight": round(score[pk], 3),
                    "family": family[pk][1] if pk in family else "",
                    "reason": " \u00b7 ".join(reasons),
                    "shared": [
                        (titles[key], [name for _slug, name in pairs])
                        for key, pairs in items.items()
                        if pairs
                    ],
                    # The shared ends themselves, by slug (the API's links).
                    **{
                        key: sorted(Named(slug, name) for slug, name in pairs)
                        for key, pairs in items.items()
                    },
                }
            )
        return result

    def _shared_scores(self, parts, weights, family, group_ids, limit):
        """{disease id: the weights of the ends it shares with `disease`,
        summed} for the diseases that can be among the `limit` shown: its
        family, and the best of the others that may be shown (diseases and
        subtypes, not its own groups), ties by name as related_to orders
        them. `parts`: {kind: (SQL, params) of its (kb_t, kb_e) rows}, the
        other diseases' links to its ends. Summed in the database (one
        query): an end stated for thousands of diseases is not read row by
        row."""
        if not parts:
            return {}
        connection = connections[self.db]
        weighed, params = [], []
        for key, (sql, part_params) in parts.items():
            cases = [(end, w) for (kind, end), w in weights.items() if kind == key]
            weighed.append(
                "SELECT part.kb_t AS t, CASE part.kb_e "
                + " ".join("WHEN %s THEN %s" for _case in cases)
                + f" ELSE 0 END AS w FROM ({sql}) part"
            )
            # The CASE's values come before the subquery's in the text.
            params += [value for case in cases for value in case]
            params += part_params
        table = connection.ops.quote_name(self.model._meta.db_table)
        collation = '"C"' if connection.vendor == "postgresql" else "BINARY"
        family_ids = sorted(family) or [0]
        excluded = sorted(group_ids) or [0]
        kinds = [self.model.Kind.DISEASE, self.model.Kind.SUBTYPE]
        query = f"""
            SELECT shared.t, SUM(shared.w) AS score,
                CASE WHEN shared.t IN ({placeholders(family_ids)})
                    THEN 0 ELSE 1 END AS outside
            FROM ({" UNION ALL ".join(weighed)}) shared
            JOIN {table} d ON d.id = shared.t
            WHERE shared.t NOT IN ({placeholders(excluded)})
              AND (d.kind IN (%s, %s)
                   OR shared.t IN ({placeholders(family_ids)}))
            GROUP BY shared.t, d.name
            ORDER BY outside, ROUND(SUM(shared.w), 6) DESC,
                d.name COLLATE {collation}
            LIMIT %s"""
        with connection.cursor() as cursor:
            cursor.execute(
                query,
                [
                    *family_ids,
                    *params,
                    *excluded,
                    *kinds,
                    *family_ids,
                    len(family) + limit,
                ],
            )
            return {pk: float(total) for pk, total, _outside in cursor.fetchall()}


class SymptomQuerySet(NamedRecordQuerySet):
    def for_detail(self, user) -> "SymptomQuerySet":
        from diseases.models import DiseaseSymptom

        visibility = Visibility.of(user)
        return self.restrict(user).prefetch_related(
            citations_prefetch(),
            Prefetch(
                "disease_links",
                queryset=visibility.records(
                    DiseaseSymptom.objects.select_related("disease")
                ).prefetch_related(citations_prefetch()),
            ),
            # What other apps register for a symptom (adverse effects).
            *(
                prefetch
                for section in registry.sections(self.model)
                for prefetch in section.prefetch(visibility)
            ),
        )


class MechanismQuerySet(NamedRecordQuerySet):
    def for_detail(self, user) -> "MechanismQuerySet":
        from diseases.models import DiseaseMechanism

        return self.restrict(user).prefetch_related(
            citations_prefetch(),
            Prefetch(
                "disease_links",
                queryset=Visibility.of(user)
                .records(DiseaseMechanism.objects.select_related("disease"))
                .prefetch_related(citations_prefetch()),
            ),
        )
