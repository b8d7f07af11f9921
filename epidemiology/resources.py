"""What the epidemiology app registers (see kbframework.registry), including
the section it adds to a disease: its figures."""

from django.db.models import Prefetch

from diseases.models import Disease
from epidemiology.admin import DiseaseFigureInline
from epidemiology.api.serializers import FigureSerializer
from epidemiology.api.views import FigureViewSet, StudyViewSet
from epidemiology.models import Figure, Study
from epidemiology.views import disease_figures
from kbframework.querysets import citations_prefetch
from kbframework.registry import Section, registry

registry.fixture_file("epidemiology.json", order=40, models=[Study, Figure])

registry.resource(
    Figure, position=70, api_prefix="figures", viewset=FigureViewSet, released=True
)
registry.resource(
    Study, position=80, api_prefix="studies", viewset=StudyViewSet, released=True
)

registry.section(
    Disease,
    Section(
        name="figures",
        position=30,
        title="Epidemiology",
        anchor="epidemiology",
        has_content=lambda disease, context: bool(context["figures"]),
        prefetch=lambda visibility: [
            Prefetch(
                "figures",
                queryset=visibility.records(Figure.objects.all())
                .select_related("disease", "study")
                .prefetch_related(citations_prefetch()),
            )
        ],
        serializer_field=lambda: FigureSerializer(many=True, read_only=True),
        admin_inline=DiseaseFigureInline,
        template="epidemiology/includes/disease_figures.html",
        page_context=disease_figures,
    ),
)
