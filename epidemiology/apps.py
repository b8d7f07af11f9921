from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpidemiologyConfig(AppConfig):
    name = "epidemiology"
    verbose_name = _("Epidemiology")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models import Prefetch

        from diseases.api.serializers import DiseaseDetailSerializer
        from diseases.querysets import DiseaseQuerySet, citations_prefetch
        from epidemiology.api.serializers import FigureSerializer
        from epidemiology.models import Figure

        # A disease's detail shows its published figures.
        DiseaseQuerySet.detail_prefetches.append(
            lambda diseases: Prefetch(
                "figures",
                queryset=Figure.objects.published()
                .select_related("disease", "study")
                .prefetch_related(citations_prefetch()),
            )
        )
        DiseaseDetailSerializer.extra_sections["figures"] = lambda: FigureSerializer(
            many=True, read_only=True
        )
