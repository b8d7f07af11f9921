"""The one API router: every app's viewsets, under /api/v1/."""

from rest_framework import routers
from rest_framework.routers import DefaultRouter

from diseases.api.views import DiseaseViewSet, MechanismViewSet, SymptomViewSet
from epidemiology.api.views import FigureViewSet, StudyViewSet
from imidkb.api_views import BodySystemViewSet, ReleaseViewSet, SourceViewSet
from imidkb.apikit import KBViewSetMixin
from treatments.api.views import DrugClassViewSet, DrugViewSet


class APIRootView(KBViewSetMixin, routers.APIRootView):
    """IMID-KB's resources. Every response names the data release it reflects
    (X-KB-Release); see /api/docs/ for the parameters of each."""

    pagination_class = None


class Router(DefaultRouter):
    # No ".json" suffix routes: ?format= is the one documented switch.
    include_format_suffixes = False
    APIRootView = APIRootView


router = Router()
router.register("diseases", DiseaseViewSet)
router.register("symptoms", SymptomViewSet)
router.register("mechanisms", MechanismViewSet)
router.register("body-systems", BodySystemViewSet)
router.register("drug-classes", DrugClassViewSet)
router.register("drugs", DrugViewSet)
router.register("figures", FigureViewSet)
router.register("studies", StudyViewSet)
router.register("sources", SourceViewSet)
router.register("releases", ReleaseViewSet)
