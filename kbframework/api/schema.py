"""OpenAPI schema generation: documented errors and the ?format= switch."""

from drf_spectacular.openapi import AutoSchema

from kbframework.api.serializers import ErrorSerializer


class KBAutoSchema(AutoSchema):
    """Documents the error responses every operation can give, the list's
    filters on whole-table downloads and the CSV byte-order mark on lists."""

    def get_filter_backends(self):
        from kbframework.api.downloads import DOWNLOAD_ACTIONS

        if getattr(self.view, "action", None) in DOWNLOAD_ACTIONS:
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()

    def get_override_parameters(self):
        from kbframework.api.downloads import BOM_OPENAPI

        parameters = super().get_override_parameters()
        view = self.view
        if getattr(view, "action", None) == "list" and getattr(view, "csv_lists", 0):
            parameters = [*parameters, BOM_OPENAPI]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET":
            codes = ("400", "404", "429")
            if getattr(self.view, "action", None) == "retrieve":
                codes += ("410",)
            for code in codes:
                if code not in responses:
                    responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses


def describe_format_parameter(result, generator, request, public):
    """Schema post-processing: document the ?format= switch everywhere."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "format" and parameter["in"] == "query":
                    parameter["description"] = (
                        "json (the default) or, on lists, csv: the same rows as "
                        "flat columns, with a citation column and a release column."
                    )
    return result
