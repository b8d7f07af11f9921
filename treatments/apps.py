from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = _("Treatments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models import Prefetch

        from diseases.api.serializers import DiseaseDetailSerializer
        from diseases.querysets import DiseaseQuerySet, citations_prefetch
        from imidkb.models import Status
        from treatments.api.serializers import (
            DiseaseTreatmentSerializer,
            ResponseNoteSerializer,
        )
        from treatments.models import Indication, ResponseNote

        unpublished = [Status.DRAFT, Status.IN_REVIEW, Status.RETIRED]

        def treatments(diseases):
            indications = Indication.objects.select_related(
                "drug_class", "drug__drug_class"
            )
            if diseases.public:
                # Either end may be empty: exclude() keeps those links.
                indications = indications.exclude(
                    drug_class__status__in=unpublished
                ).exclude(drug__status__in=unpublished)
            return Prefetch(
                "indications",
                queryset=indications.prefetch_related(citations_prefetch()),
            )

        # A disease's detail shows its treatments and treatment-response notes.
        DiseaseQuerySet.detail_prefetches += [
            treatments,
            lambda diseases: Prefetch(
                "response_notes",
                queryset=ResponseNote.objects.published()
                .select_related("drug_class")
                .prefetch_related(citations_prefetch()),
            ),
        ]
        DiseaseDetailSerializer.extra_sections.update(
            treatments=lambda: DiseaseTreatmentSerializer(
                source="indications", many=True, read_only=True
            ),
            response_notes=lambda: ResponseNoteSerializer(many=True, read_only=True),
        )
