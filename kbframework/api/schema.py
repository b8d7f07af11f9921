"""OpenAPI schema generation: documented errors and the ?format= switch."""

from drf_spectacular.openapi import AutoSchema

from kbframework.api import selection
from kbframework.api.serializers import ErrorSerializer


class KBAutoSchema(AutoSchema):
    """Documents the error responses every operation can give, the list's
    filters on whole-table downloads, the CSV byte-order mark on lists and
    `fields` wherever rows or records are answered."""

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
        if getattr(view, "takes_fields", lambda: False)():
            parameters = [
                *parameters,
                selection.openapi_parameter(view.selectable_fields()),
            ]
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


def resolve(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref", "")
    return components[ref.rsplit("/", 1)[-1]] if ref else schema


def describe_field_selection(result, generator, request, public):
    """Schema post-processing for `fields` (kbframework.api.selection): the
    rows or record an operation that takes it answers in JSON mark no field
    required (a selection leaves out the fields it does not name), and a
    list's rows document the table columns that `fields` can add to them
    (citations, identifiers: the columns of its CSV)."""
    from kbframework.api.downloads import TABLE_COLUMN_SCHEMAS

    components = result.get("components", {}).get("schemas", {})
    for path in result.get("paths", {}).values():
        for operation in path.values():
            fields = [
                parameter
                for parameter in operation.get("parameters", [])
                if parameter["name"] == selection.FIELDS and parameter["in"] == "query"
            ]
            answer = operation.get("responses", {}).get("200", {})
            json_body = answer.get("content", {}).get("application/json")
            if not fields or json_body is None:
                continue
            record = resolve(json_body["schema"], components)
            paginated = (
                "results" in record.get("properties", {})
                and "count" in (record["properties"])
            )
            if paginated:
                record = resolve(record["properties"]["results"]["items"], components)
            record.pop("required", None)
            if not paginated:
                continue
            properties = record.setdefault("properties", {})
            for name in fields[0]["schema"]["items"]["enum"]:
                if name not in properties and name in TABLE_COLUMN_SCHEMAS:
                    properties[name] = TABLE_COLUMN_SCHEMAS[name]
    return result
