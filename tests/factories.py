"""factory_boy factories for the curated models."""

import factory

from diseases.models import Disease, DiseaseMembership, Mechanism, Symptom
from epidemiology.models import Figure, Study
from kbframework.models import Citation, Source, Status
from treatments.models import Drug, DrugClass, Indication


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Source {n}")
    publisher = "Test publisher"
    kind = Source.Kind.ENCYCLOPEDIA
    sections = ["Introduction", "Epidemiology"]


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    source = factory.SubFactory(SourceFactory)
    section = "Introduction"


class CuratedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    status = Status.PUBLISHED

    @factory.post_generation
    def citations(self, create, extracted, **kwargs):
        if create:
            self.citations.set(extracted or [CitationFactory()])


class DiseaseFactory(CuratedFactory):
    class Meta:
        model = Disease

    name = factory.Sequence(lambda n: f"Disease {n}")
    slug = factory.Sequence(lambda n: f"disease-{n}")
    kind = Disease.Kind.DISEASE
    summary = "A test disease."


class SymptomFactory(CuratedFactory):
    class Meta:
        model = Symptom

    name = factory.Sequence(lambda n: f"Symptom {n}")
    slug = factory.Sequence(lambda n: f"symptom-{n}")


class MechanismFactory(CuratedFactory):
    class Meta:
        model = Mechanism

    name = factory.Sequence(lambda n: f"Mechanism {n}")
    slug = factory.Sequence(lambda n: f"mechanism-{n}")
    kind = Mechanism.Kind.PROCESS
    summary = "A test mechanism."


class DiseaseMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiseaseMembership

    parent = factory.SubFactory(DiseaseFactory, kind=Disease.Kind.GROUP)
    member = factory.SubFactory(DiseaseFactory)


class DrugClassFactory(CuratedFactory):
    class Meta:
        model = DrugClass

    name = factory.Sequence(lambda n: f"Drug class {n}")
    slug = factory.Sequence(lambda n: f"drug-class-{n}")
    summary = "A test drug class."


class DrugFactory(CuratedFactory):
    class Meta:
        model = Drug

    name = factory.Sequence(lambda n: f"Drug {n}")
    slug = factory.Sequence(lambda n: f"drug-{n}")
    drug_class = factory.SubFactory(DrugClassFactory)


class IndicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indication

    drug_class = factory.SubFactory(DrugClassFactory)
    disease = factory.SubFactory(DiseaseFactory)
    purpose = Indication.Purpose.TREAT


class StudyFactory(CuratedFactory):
    class Meta:
        model = Study

    name = factory.Sequence(lambda n: f"Study {n}")
    slug = factory.Sequence(lambda n: f"study-{n}")
    year = 2019
    summary = "A test study."


class FigureFactory(CuratedFactory):
    class Meta:
        model = Figure

    slug = factory.Sequence(lambda n: f"figure-{n}")
    disease = factory.SubFactory(DiseaseFactory)
    measure = Figure.Measure.PREVALENCE_COUNT
    value = 1000
    unit = Figure.Unit.PEOPLE
    population = Figure.Population.GENERAL
    region = Figure.Region.GB
