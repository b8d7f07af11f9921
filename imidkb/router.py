"""The one API router, built from the registry: every app's resources under
/api/v1/, in their registered positions, then one resource per link kind,
then the data releases."""

from rest_framework import routers
from rest_framework.routers import DefaultRouter

from imidkb.release_views import ReleaseViewSet
from kbframework.api.links import link_resources
from kbframework.api.viewsets import KBViewSetMixin
from kbframework.registry import registry


class APIRootView(KBViewSetMixin, routers.APIRootView):
    """IMID-KB's resources. Every response names the data release it reflects
    (X-KB-Release); see /api/docs/ for the parameters of each."""

    pagination_class = None


class Router(DefaultRouter):
    # No ".json" suffix routes: ?format= is the one documented switch.
    include_format_suffixes = False
    APIRootView = APIRootView


def build_router() -> Router:
    router = Router()
    for resource in registry.api_resources():
        router.register(resource.api_prefix, resource.viewset)
    # One resource per link kind (kbframework.api.links), after the records.
    taken = {resource.api_prefix for resource in registry.api_resources()}
    for prefix, model, viewset in link_resources():
        if prefix in taken:
            raise ValueError(f"{model._meta.label}: API prefix {prefix} is taken")
        router.register(prefix, viewset)
    router.register("releases", ReleaseViewSet)
    return router


router = build_router()
