"""What a clinician reads on a disease's page that the sources state for its
groups, and on a drug's page for its classes: shown, labelled with whom it is
stated for, never copied; and read in a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diseases.models import Disease, DiseaseMembership, DiseaseSymptom
from kbframework.inheritance import MAX_DEPTH, ancestors
from tests.conftest import first_visit_queries
from tests.factories import (
    DiseaseFactory,
    DiseaseMembershipFactory,
    IndicationFactory,
    SymptomFactory,
)
from treatments.models import DrugClass, Indication

pytestmark = pytest.mark.django_db


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str, anchor: str) -> str:
    """The HTML of the <section> whose heading has this id, nested sections
    (inherited blocks) included."""
    start = html.rindex("<section", 0, html.index(f'id="{anchor}"'))
    depth = 0
    for match in re.finditer(r"<section\b|</section>", html[start:]):
        depth += 1 if match.group().startswith("<section") else -1
        if depth == 0:
            return html[start : start + match.end()]
    raise AssertionError(f"section {anchor} is not closed")


def test_crohns_page_shows_the_treatments_and_figures_of_its_groups(kb, client):
    """The sources name no treatment and give no figure for Crohn's disease
    itself; its page shows what they state for IBD and the IMID group,
    under their names, IBD (the narrower group) first."""
    html = html_of(client, "/diseases/crohns-disease/")
    treatments = section(html, "treatments")
    assert "The sources name no treatment for Crohn&#x27;s disease itself" in treatments
    assert "below, what they state for its groups" in treatments
    ibd = treatments.index('Stated for the group <a href="/diseases/inflammatory-bowel')
    imid = treatments.index('Stated for the group <a href="/diseases/imid/"')
    assert ibd < imid
    assert "Immunosuppressants" in treatments[ibd:imid]  # stated for IBD
    assert "Biologics" in treatments[imid:]  # stated for the IMID group
    figures = section(html, "epidemiology")
    assert "The sources give no figure for Crohn&#x27;s disease itself" in figures
    assert "Figures stated for Inflammatory bowel disease" in figures
    assert "0.7%" in figures


def test_a_group_two_levels_up_names_the_way_there(kb, client):
    """Autoimmune diseases is above Crohn's disease through IBD: the page
    says so."""
    html = html_of(client, "/diseases/crohns-disease/")
    assert (
        "Crohn&#x27;s disease \u203a Inflammatory bowel disease \u203a "
        "Autoimmune diseases" in html
    )


def test_rheumatoid_arthritis_page_carries_its_groups_treatments(kb, client):
    html = html_of(client, "/diseases/rheumatoid-arthritis/")
    treatments = section(html, "treatments")
    own, _, inherited = treatments.partition('class="inherited"')
    assert "Immunosuppressants" in own  # stated for RA itself
    assert "Biologics" in inherited and "Biologics" not in own


def test_inherited_facts_are_shown_not_copied(kb, client):
    """Nothing is written for a member: its page reads the group's rows."""
    before = Indication.objects.count(), DiseaseSymptom.objects.count()
    html_of(client, "/diseases/crohns-disease/")
    assert (Indication.objects.count(), DiseaseSymptom.objects.count()) == before
    crohns = Disease.objects.get(slug="crohns-disease")
    assert not crohns.indications.exists()


def test_a_group_reached_only_through_a_draft_group_is_hidden(kb, client, admin_client):
    """The public never learns of a draft group, nor of what lies above it
    through it; staff see both."""
    draft = DiseaseFactory(
        kind=Disease.Kind.GROUP, name="Draft umbrella", status="draft"
    )
    top = DiseaseFactory(kind=Disease.Kind.GROUP, name="Topmost published group")
    member = DiseaseFactory(name="Lone member")
    DiseaseMembership.objects.create(parent=draft, member=member)
    DiseaseMembership.objects.create(parent=top, member=draft)
    symptom = SymptomFactory(name="Topmost symptom")
    DiseaseSymptom.objects.create(disease=top, symptom=symptom)
    url = member.get_absolute_url()
    public = html_of(client, url)
    assert "Draft umbrella" not in public and "Topmost" not in public
    staff = html_of(admin_client, url)
    assert "Draft umbrella" in staff and "Topmost symptom" in staff


def test_groups_above_cost_the_same_queries_at_any_depth_and_number(kb):
    """One query for the way up and one for the groups, however deep."""

    def chain(depth: int) -> Disease:
        member = DiseaseFactory()
        below = member
        for _ in range(depth):
            group = DiseaseFactory(kind=Disease.Kind.GROUP)
            DiseaseMembership.objects.create(parent=group, member=below)
            below = group
        return member

    def queries(diseases) -> int:
        with CaptureQueriesContext(connection) as captured:
            Disease.objects.with_groups_above(diseases, None)
        return len(captured)

    shallow, deep = chain(1), chain(MAX_DEPTH)
    assert queries([shallow]) == queries([deep]) == queries([shallow, deep])
    Disease.objects.with_groups_above([deep], None)
    assert len(deep.above) == MAX_DEPTH
    assert [len(above.path) for above in deep.above] == list(range(MAX_DEPTH))


def test_ancestors_put_a_group_before_the_groups_it_is_in():
    """Crohn's (1) is in IBD (2) and IMID (3); IBD is in IMID: IBD first,
    then IMID, although both are direct."""
    pairs = [(1, 2), (1, 3), (2, 3)]
    assert [pk for pk, _path, _level in ancestors(pairs, 1)] == [2, 3]
    # A cycle (refused by the admin, possible in raw data) ends.
    assert [pk for pk, _p, _l in ancestors([(1, 2), (2, 1)], 1)] == [2]


def test_drug_page_shows_its_class_and_the_classes_above(kb, client):
    """Ciclosporin: its class states nothing; immunosuppressants, above it,
    state the infection risk and the uses, labelled by class."""
    html = html_of(client, "/drugs/ciclosporin/")
    assert "Stated for its class" in html
    assert 'Stated for the class <a href="/drug-classes/immunosuppressants/"' in html
    block = html.split('id="class-immunosuppressants"', 1)[1]
    block = block.split('class="inherited"', 1)[0]
    assert "infections" in block and "Transplant rejection" in block
    assert (
        "Ciclosporin \u203a Calcineurin inhibitors \u203a Immunosuppressants \u203a "
        "Immunomodulatory drugs" in html
    )


def test_class_page_lists_the_drugs_of_its_subclasses(kb, client):
    html = html_of(client, "/drug-classes/immunosuppressants/")
    drugs = section(html, "drugs")
    assert "In its subclasses" in drugs
    for name in ("Ciclosporin", "Tacrolimus", "Prednisone", "Everolimus", "Sirolimus"):
        assert name in drugs
    assert "The sources name no drug of this class" not in drugs
    # And what is stated for the class above it, labelled.
    assert 'Stated for the class <a href="/drug-classes/immunomodulators/"' in html


def test_a_use_stated_for_a_class_reaches_every_drug_below(kb, client):
    top = DrugClass.objects.get(slug="immunomodulators")
    target = DiseaseFactory(name="Freshly indicated disease")
    IndicationFactory(drug_class=top, disease=target)
    for drug in ("ciclosporin", "prednisone", "sirolimus"):
        assert "Freshly indicated disease" in html_of(client, f"/drugs/{drug}/")


def test_outcomes_have_their_own_list_and_page(kb, client):
    diseases = html_of(client, "/diseases/")
    assert "Premature death" not in diseases and "Transplant rejection" not in diseases
    conditions = html_of(client, "/conditions/")
    for name in ("Premature death", "Disability", "Infections", "Transplant rejection"):
        assert name in conditions
    response = client.get("/diseases/premature-death/")
    assert response.status_code == 301
    assert response["Location"] == "/conditions/premature-death/"
    assert client.get("/conditions/psoriasis/")["Location"] == "/diseases/psoriasis/"
    page = html_of(client, "/conditions/premature-death/")
    assert "Condition or outcome" in page
    assert "The sources name no treatment" not in page
    assert "Related diseases" not in page
    assert "Immune-mediated inflammatory diseases" in section(page, "relations")
    assert client.get("/diseases/?kind=condition")["Location"] == "/conditions/"


def test_an_outcome_page_says_which_classes_it_is_an_adverse_effect_of(kb, client):
    page = html_of(client, "/conditions/infections/")
    effects = section(page, "adverse-effect-of")
    assert "Immunosuppressants" in effects and "Immunomodulatory drugs" in effects


def test_disease_filters_offer_diseases_apart_from_outcomes(kb, client):
    html = html_of(client, "/symptoms/")
    select = html.split('name="disease"', 1)[1].split("</select>", 1)[0]
    diseases = select.split('label="Diseases"', 1)[1].split("</optgroup>", 1)[0]
    assert "Crohn" in diseases and "Premature death" not in diseases
    assert select.index('label="Diseases"') < select.index(
        'label="Conditions and outcomes"'
    )
    kinds = html_of(client, "/diseases/").split('name="kind"', 1)[1]
    assert "condition" not in kinds.split("</select>", 1)[0]


def test_related_diseases_mean_something(kb, client):
    """Family first, each item by name, the reason in words; no outcome."""
    crohns = html_of(client, "/diseases/crohns-disease/")
    related = section(crohns, "related")
    first = re.search(r'<li><a href="([^"]+)"', related).group(1)
    assert first == "/diseases/ulcerative-colitis/"
    assert "Also in Inflammatory bowel disease" in related
    ibd = section(html_of(client, "/diseases/inflammatory-bowel-disease/"), "related")
    firsts = re.findall(r'<li><a href="([^"]+)"', ibd)[:2]
    assert set(firsts) == {"/diseases/crohns-disease/", "/diseases/ulcerative-colitis/"}
    ra = section(html_of(client, "/diseases/rheumatoid-arthritis/"), "related")
    assert "shared symptoms: Joint pain" in ra
    assert "joint-pain" not in ra.replace('href="/symptoms/joint-pain/"', "")
    for outcome in ("/conditions/", "Infections", "Cancer"):
        assert outcome not in ra


def test_related_weighs_a_rare_shared_item_above_a_common_one(kb):
    """Two diseases sharing one rare symptom outrank two sharing one that
    nearly every disease has."""
    common, rare = SymptomFactory(), SymptomFactory()
    subject, rare_twin = DiseaseFactory(), DiseaseFactory(name="Rare twin")
    DiseaseSymptom.objects.create(disease=subject, symptom=common)
    DiseaseSymptom.objects.create(disease=subject, symptom=rare)
    DiseaseSymptom.objects.create(disease=rare_twin, symptom=rare)
    for disease in Disease.objects.exclude(pk__in=[subject.pk, rare_twin.pk])[:20]:
        DiseaseSymptom.objects.create(disease=disease, symptom=common)
    related = Disease.objects.related_to(subject, None)
    assert related[0]["disease"] == rare_twin
    assert related[0]["weight"] > related[1]["weight"]


def test_membership_notes_are_shown(kb, client):
    lupus = Disease.objects.get(slug="systemic-lupus-erythematosus")
    link = lupus.parent_links.first()
    link.note = "Listed as one in the text's own list."
    link.save()
    assert "Listed as one in the text&#x27;s own list." in html_of(
        client, lupus.get_absolute_url()
    )


def test_figure_notes_are_shown_where_the_figures_are(kb, client):
    """The 2019 share is of the six diseases of that study: said beside it on
    the disease page, on /epidemiology/ and in compare; the lupus
    disagreement says one figure is stated for 'lupus'."""
    six = "Share of new cases among the six diseases of the study."
    ra = html_of(client, "/diseases/rheumatoid-arthritis/")
    assert six in section(ra, "epidemiology")
    assert six in html_of(client, "/epidemiology/")
    compare = html_of(client, "/compare/?d=rheumatoid-arthritis&d=psoriasis")
    assert six in compare
    lupus = html_of(client, "/diseases/systemic-lupus-erythematosus/")
    card = lupus.split('class="disagreement"', 1)[1].split("</div>", 1)[0]
    assert "Stated for &#x27;lupus&#x27;" in card


def test_identifiers_carry_their_labels(kb, client):
    ra = section(html_of(client, "/diseases/rheumatoid-arthritis/"), "facts")
    row = ra.split(">M06.9<", 1)[1].split("</tr>", 1)[0]
    assert "Rheumatoid arthritis, unspecified" in row and "loose" in row
    assert "entity 576319925" in ra and "icd11.foundation:" not in ra


def test_relations_read_as_rows_not_sentences(kb, client):
    """No generated sentence to get wrong ("IMIDs increases", "may lead to
    Premature death. In some cases.")."""
    imid = section(html_of(client, "/diseases/imid/"), "relations")
    assert "increases the risk of" in imid and "In some cases." in imid
    assert "diseases increases" not in imid


def test_long_disease_pages_have_contents(kb, client):
    html = html_of(client, "/diseases/rheumatoid-arthritis/")
    contents = html.split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    anchors = re.findall(r'href="#([^"]+)"', contents)
    assert len(anchors) >= 6
    for anchor in anchors:
        assert f'id="{anchor}"' in html
    assert "<script" not in contents


def test_compare_reads_right(kb, client):
    url = (
        "/compare/?d=rheumatoid-arthritis&d=systemic-lupus-erythematosus"
        "&d=crohns-disease&d=psoriasis"
    )
    html = html_of(client, url)
    assert "That does not mean it is absent." in html  # the legend for "Not stated"
    assert "Not stated" in html and "\u2013</span>" not in html
    assert 'id="matrix-1">Body systems' in html
    drugs = html.split(">Drug classes</h2>", 1)[1].split("</table>", 1)[0]
    row = drugs.split('href="/drug-classes/immunosuppressants/"', 1)[1].split("</tr>")[
        0
    ]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert "Stated" in cells[0]  # for RA itself
    assert "For its group" in cells[2] and "IBD" in cells[2]  # Crohn's, via IBD
    assert "approximately 1%" in html and "adults" in html  # population kept
    assert "sources disagree" in html_of(
        client, "/compare/?d=systemic-lupus-erythematosus&d=psoriasis"
    )


def test_adding_a_disease_already_compared_keeps_the_comparison(kb, client):
    url = "/compare/?d=rheumatoid-arthritis&d=psoriasis&add=RA"
    response = client.get(url)
    assert response.status_code == 200
    assert "Rheumatoid arthritis is already compared." in response.content.decode()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # version, drug (+ xrefs, citations, indications), its class's stated
        # links (uses, adverse effects, response notes), the class tree
        ("/drugs/methotrexate/", 9),
        # the class, its stated links, the classes above with theirs, the
        # drugs of its subclasses
        ("/drug-classes/immunosuppressants/", 20),
        ("/conditions/", 3),  # version, conditions, what leads to them
        ("/conditions/infections/", 19),
        ("/diseases/crohns-disease/", 30),
    ],
)
def test_query_counts_of_the_pages_that_grew(
    kb, wsgi, django_assert_num_queries, url, queries
):
    """First request: the data version, then the page; a repeat: the data
    version only. The same with more groups and links (test below)."""
    with django_assert_num_queries(first_visit_queries(url, queries)):
        assert wsgi(url).status_code == 200
    with django_assert_num_queries(1):
        assert wsgi(url).status_code == 200


def test_a_member_page_costs_the_same_with_more_groups_above(
    kb, wsgi, django_assert_num_queries
):
    crohns = Disease.objects.get(slug="crohns-disease")
    with CaptureQueriesContext(connection) as before:
        wsgi(crohns.get_absolute_url())
    group = DiseaseFactory(kind=Disease.Kind.GROUP)
    DiseaseMembershipFactory(parent=group, member=crohns)
    higher = DiseaseFactory(kind=Disease.Kind.GROUP)
    DiseaseMembershipFactory(parent=higher, member=group)
    IndicationFactory(disease=higher)
    with django_assert_num_queries(len(before)):
        assert wsgi(crohns.get_absolute_url()).status_code == 200


def test_a_symptom_page_says_which_classes_it_is_an_adverse_effect_of(kb, client):
    page = html_of(client, "/symptoms/nausea/")
    effects = section(page, "adverse-effect-of")
    assert "Immunomodulatory drugs" in effects and "(common)" in effects
    assert "adverse-effect-of" not in html_of(client, "/symptoms/joint-pain/")


def reference_related(disease, user, limit=10) -> list:
    """related_to's ranking read the plain way: every visible link row in
    Python (what it did before the sums moved into the database)."""
    import math
    from collections import defaultdict

    from kbframework.registry import registry
    from kbframework.visibility import Visibility

    visibility = Visibility.of(user)
    ends = registry.shared_ends(Disease)
    rows = {
        shared.key: set(
            visibility.records(shared.links()).values_list(
                f"{shared.target_field}_id", f"{shared.end}_id"
            )
        )
        for shared in ends
    }
    own = {key: {e for t, e in pairs if t == disease.pk} for key, pairs in rows.items()}
    visible = Disease.objects.restrict(user)
    total = max(visible.count(), 2)
    stating = defaultdict(set)
    for key, pairs in rows.items():
        for t, e in pairs:
            if e in own[key]:
                stating[(key, e)].add(t)
    score = defaultdict(float)
    for key, pairs in rows.items():
        for t, e in sorted(pairs):
            if e in own[key] and t != disease.pk:
                score[t] += math.log(total / len(stating[(key, e)]))
    memberships = list(
        visibility.records(DiseaseMembership.objects.all()).values_list(
            "parent_id", "member_id"
        )
    )
    groups = {p for p, m in memberships if m == disease.pk}
    size = defaultdict(int)
    for p, _m in memberships:
        size[p] += 1
    family = {}
    for p, m in memberships:
        if m == disease.pk or not (p in groups or p == disease.pk):
            continue
        n = 1 if p == disease.pk else size[p]
        family[m] = min(n, family.get(m, n))
    for m, n in family.items():
        score[m] += 2 * math.log(total / min(n, total))
    kinds = (Disease.Kind.DISEASE, Disease.Kind.SUBTYPE)
    shown = {
        d.pk: d
        for d in visible.filter(pk__in=set(score) | set(family))
        if d.pk not in groups and (d.pk in family or d.kind in kinds)
    }
    ranked = sorted(shown, key=lambda pk: (-round(score[pk], 6), shown[pk].name))
    return [(shown[pk].slug, round(score[pk], 3)) for pk in ranked[:limit]]


def test_related_is_the_plain_ranking_for_every_disease(kb, admin_user):
    """For every disease, public and staff (with a draft sharing its ends),
    related_to ranks as the plain reading of every row does, in at most
    seven queries."""
    lupus = Disease.objects.get(slug="systemic-lupus-erythematosus")
    twin = DiseaseFactory(name="Unpublished twin", status="draft")
    for link in lupus.symptom_links.all():
        DiseaseSymptom.objects.create(disease=twin, symptom=link.symptom)
    counts = set()
    for user in (None, admin_user):
        for disease in Disease.objects.restrict(user):
            with CaptureQueriesContext(connection) as queries:
                found = Disease.objects.related_to(disease, user)
            counts.add(len(queries))
            assert [
                (r["disease"].slug, r["weight"]) for r in found
            ] == reference_related(disease, user), disease.slug
    # Its ends, its family, the count, the weights, the sums, the names and
    # what is shared: fewer when it shares nothing (nothing to weigh).
    assert max(counts) == 7, counts
