"""A synthetic knowledge base for measuring speed at scale.

Every synthetic record has a slug starting with "synth-" and cites the
"synthetic" source, so it can never be mistaken for curated data, and
`synth_remove` deletes exactly what `synth_create` added: every row of a
registered model that cites the synthetic source.
"""

import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from diseases.models import (
    BodySystem,
    Disease,
    DiseaseBodySystem,
    DiseaseMechanism,
    DiseaseSymptom,
    Mechanism,
    Symptom,
)
from epidemiology.models import Figure
from kbframework import search
from kbframework.models import Citation, DataVersion, Source, Status
from kbframework.registry import registry
from treatments.models import DrugClass, Indication

PREFIX = "synth-"
SOURCE_SLUG = "synthetic"
BATCH = 5000


def synthetic_source() -> tuple[Source, Citation]:
    source, _created = Source.objects.get_or_create(
        slug=SOURCE_SLUG,
        defaults={
            "title": "Synthetic data for benchmarks (not curated)",
            "publisher": "IMID-KB synthkb command",
            "kind": Source.Kind.SYNTHETIC,
            "description": "Generated records for measuring speed. Not knowledge.",
            "sections": ["generated"],
        },
    )
    citation, _created = Citation.objects.get_or_create(
        source=source, section="generated"
    )
    return source, citation


def _cite(model, objects, citation) -> None:
    through = model.citations.through
    column = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        [through(**{column: obj.pk, "citation_id": citation.pk}) for obj in objects],
        batch_size=BATCH,
    )


def synth_create(*, diseases: int, seed: int = 2026) -> dict[str, int]:
    """Add `diseases` synthetic diseases with their links; return counts."""
    rng = random.Random(seed)
    now = timezone.now()
    started = time.monotonic()
    common = {"status": Status.PUBLISHED, "created": now, "updated": now}
    with transaction.atomic():
        _source, citation = synthetic_source()
        n_symptoms = max(200, diseases // 5)
        symptoms = Symptom.objects.bulk_create(
            [
                Symptom(
                    slug=f"{PREFIX}symptom-{i:05d}",
                    name=f"Synthetic symptom {i:05d}",
                    description="Generated for benchmarks.",
                    **common,
                )
                for i in range(n_symptoms)
            ],
            batch_size=BATCH,
        )
        mechanisms = Mechanism.objects.bulk_create(
            [
                Mechanism(
                    slug=f"{PREFIX}mechanism-{i:04d}",
                    name=f"Synthetic mechanism {i:04d}",
                    kind=rng.choice(list(Mechanism.Kind)),
                    summary="Generated for benchmarks.",
                    **common,
                )
                for i in range(100)
            ]
        )
        classes = DrugClass.objects.bulk_create(
            [
                DrugClass(
                    slug=f"{PREFIX}drug-class-{i:03d}",
                    name=f"Synthetic drug class {i:03d}",
                    summary="Generated for benchmarks.",
                    **common,
                )
                for i in range(50)
            ]
        )
        records = Disease.objects.bulk_create(
            [
                Disease(
                    slug=f"{PREFIX}disease-{i:05d}",
                    name=f"Synthetic disease {i:05d}",
                    abbreviations=[f"SD{i}"],
                    synonyms=[f"synthetic condition {i}"],
                    kind=Disease.Kind.DISEASE,
                    summary=(
                        f"Synthetic disease number {i}, generated to measure how "
                        "the knowledge base behaves at scale. " * 3
                    ).strip(),
                    **common,
                )
                for i in range(diseases)
            ],
            batch_size=BATCH,
        )
        systems = list(BodySystem.objects.all())
        links = {
            "symptom": [
                DiseaseSymptom(
                    disease=disease,
                    symptom=symptom,
                    frequency=rng.choice(["", "common", "very-common", "some"]),
                )
                for disease in records
                for symptom in rng.sample(symptoms, rng.randint(10, 20))
            ],
            "mechanism": [
                DiseaseMechanism(
                    disease=disease,
                    mechanism=mechanism,
                    role=rng.choice(list(DiseaseMechanism.Role)),
                )
                for disease in records
                for mechanism in rng.sample(mechanisms, rng.randint(2, 4))
            ],
            "indication": [
                Indication(disease=disease, drug_class=klass, purpose="treat")
                for disease in records
                for klass in rng.sample(classes, rng.randint(2, 4))
            ],
            "body_system": [
                DiseaseBodySystem(disease=disease, body_system=system)
                for disease in records
                for system in rng.sample(systems, min(len(systems), 2))
            ],
        }
        created = {}
        for name, rows in links.items():
            model = type(rows[0])
            created[name] = model.objects.bulk_create(rows, batch_size=BATCH)
        figures = Figure.objects.bulk_create(
            [
                _figure(rng, disease, number, common)
                for disease in records
                for number in range(rng.randint(3, 5))
            ],
            batch_size=BATCH,
        )
        for model, objects in (
            (Symptom, symptoms),
            (Mechanism, mechanisms),
            (DrugClass, classes),
            (Disease, records),
            (DiseaseSymptom, created["symptom"]),
            (DiseaseMechanism, created["mechanism"]),
            (Indication, created["indication"]),
            (DiseaseBodySystem, created["body_system"]),
            (Figure, figures),
        ):
            _cite(model, objects, citation)
        search.rebuild_index()
        DataVersion.bump()
    return {
        "diseases": len(records),
        "symptoms": len(symptoms),
        "symptom links": len(created["symptom"]),
        "mechanism links": len(created["mechanism"]),
        "indications": len(created["indication"]),
        "figures": len(figures),
        "seconds": round(time.monotonic() - started, 1),
    }


def _figure(rng, disease, number, common) -> Figure:
    slug = f"{disease.slug}-figure-{number}"
    if number % 2:
        value = Decimal(rng.randint(1, 9999)) / 100
        return Figure(
            slug=slug,
            disease=disease,
            measure=Figure.Measure.PREVALENCE_PROPORTION,
            value=value,
            unit=Figure.Unit.PERCENT,
            qualifier=Figure.Qualifier.APPROXIMATELY,
            population=Figure.Population.GENERAL,
            region=Figure.Region.WORLD,
            year=rng.randint(2000, 2025),
            **common,
        )
    upper = Decimal(rng.randint(1000, 2_000_000))
    return Figure(
        slug=slug,
        disease=disease,
        measure=Figure.Measure.PREVALENCE_COUNT,
        upper=upper,
        unit=Figure.Unit.PEOPLE,
        qualifier=Figure.Qualifier.UP_TO,
        population=Figure.Population.GENERAL,
        region=Figure.Region.GB,
        **common,
    )


def synth_remove() -> int:
    """Delete every synthetic row (and its citations); return rows deleted.

    Synthetic rows are the rows of any registered model citing the synthetic
    source; they go children first (the reverse of the load order).
    """
    deleted = 0
    with transaction.atomic():
        for model in reversed(registry.cited_models()):
            through = model.citations.through
            column = f"{model._meta.model_name}_id"
            cited = through.objects.filter(citation__source__slug=SOURCE_SLUG)
            ids = list(cited.values_list(column, flat=True))
            cited_rows = through.objects.filter(**{f"{column}__in": ids})
            cited_rows._raw_delete(through.objects.db)
            for start in range(0, len(ids), BATCH):
                rows = model._base_manager.filter(pk__in=ids[start : start + BATCH])
                deleted += rows._raw_delete(rows.db)
        Citation.objects.filter(source__slug=SOURCE_SLUG).delete()
        Source.objects.filter(slug=SOURCE_SLUG).delete()
        search.rebuild_index()
        DataVersion.bump()
    return deleted
