"""The one API router, built from the registry: every app's resources under
/api/v1/, in their registered positions, then one resource per link kind,
then the data releases."""

from drf_spectacular.utils import extend_schema
from rest_framework import routers, serializers
from rest_framework.routers import DefaultRouter
from rest_framework.schemas import DefaultSchema

from imidkb.export_views import ExportViewSet
from imidkb.release_views import CurrentReleaseSerializer, ReleaseViewSet
from imidkb.releases import current_citation
from kbframework.api.links import link_resources
from kbframework.api.viewsets import KBViewSetMixin
from kbframework.registry import registry

# What the root says about the data beside the resources' links; no
# resource may take one of these names as its prefix.
ABOUT_THE_DATA = ("licence", "release", "how_to_cite")


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()


def root_serializer(prefixes: list[str]) -> type[serializers.Serializer]:
    """The root's answer: a link to each resource's list, then the licence,
    the newest release and how to cite it (for the schema)."""
    attrs = {
        prefix: serializers.URLField(help_text=f"The list of {prefix}.")
        for prefix in prefixes
    }
    attrs |= {
        "licence": LicenceSerializer(help_text="The data's licence."),
        "release": CurrentReleaseSerializer(
            allow_null=True,
            help_text="The newest data release (null before the first): its "
            "number, when it was cut and its URL.",
        ),
        "how_to_cite": serializers.CharField(
            help_text="How to cite the data: IMID-KB, the newest release's "
            "number and date, the licence (the text every release gives)."
        ),
        "__doc__": "IMID-KB's resources, the data's licence and how to cite it.",
        "__module__": __name__,
    }
    return type("APIRootSerializer", (serializers.Serializer,), attrs)


class APIRootView(KBViewSetMixin, routers.APIRootView):
    """IMID-KB's resources, the data's licence, the newest release and how to
    cite it. Every response names the data release it reflects
    (X-KB-Release); see /api/docs/ for the parameters of each."""

    pagination_class = None
    # Documented (DRF leaves its root out of the schema).
    schema = DefaultSchema()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        about = current_citation()
        release = about["release"]
        response.data.update(
            licence=about["licence"],
            release=(
                None
                if release is None
                else CurrentReleaseSerializer(
                    release, context={"request": request}
                ).data
            ),
            how_to_cite=about["how_to_cite"],
        )
        return response


class Router(DefaultRouter):
    # No ".json" suffix routes: ?format= is the one documented switch.
    include_format_suffixes = False
    APIRootView = APIRootView

    def get_api_root_view(self, api_urls=None):
        """The root view, its answer documented with this router's prefixes."""
        root = self.APIRootView
        prefixes = [prefix for prefix, _viewset, _basename in self.registry]

        @extend_schema(
            operation_id="v1_root",
            summary="The API's resources, licence and how to cite it",
            responses=root_serializer(prefixes),
        )
        def get(view, request, *args, **kwargs):
            return root.get(view, request, *args, **kwargs)

        documented = type(root.__name__, (root,), {"get": get, "__module__": __name__})
        api_root_dict = {
            prefix: self.routes[0].name.format(basename=basename)
            for prefix, _viewset, basename in self.registry
        }
        return documented.as_view(api_root_dict=api_root_dict)


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
    router.register("exports", ExportViewSet, basename="export")
    router.register("releases", ReleaseViewSet)
    clash = {prefix for prefix, _v, _b in router.registry} & set(ABOUT_THE_DATA)
    if clash:
        raise ValueError(f"API prefix {', '.join(sorted(clash))} is the root's")
    return router


router = build_router()


def record_routes() -> list[tuple[str, type, str]]:
    """(prefix, viewset, basename) of the router's resources of records and
    rows (each a list over a queryset): every one but the exports, which
    serve files (imidkb.export_views)."""
    return [
        (prefix, viewset, basename)
        for prefix, viewset, basename in router.registry
        if getattr(viewset, "queryset", None) is not None
    ]
