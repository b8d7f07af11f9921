"""API errors: the exceptions views raise and the one JSON error shape.

Every error the site answers in JSON (the API's, the 404 and 500 of API paths,
the NUL-byte guard) is built by `error_body`, so they cannot drift apart.
"""

from django.http import Http404, HttpResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler


class NotModified(exceptions.APIException):
    status_code = status.HTTP_304_NOT_MODIFIED


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This record was retired."
    default_code = "gone"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The knowledge base has changed since the given version."
    default_code = "precondition_failed"


def error_body(status_code: int, error: str, detail: str, errors=None) -> dict:
    """The JSON body of every error: status, error, detail (and, for 400s
    naming parameters, errors)."""
    body = {"status": status_code, "error": error, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


def error_response(
    status_code: int, error: str, detail: str, errors=None
) -> HttpResponse:
    """An error answered outside DRF (Django's 404/500 handlers, middleware),
    rendered by the API's own JSON renderer: byte for byte the shape DRF's
    errors have."""
    from kbframework.api.renderers import SafeJSONRenderer

    body = SafeJSONRenderer().render(error_body(status_code, error, detail, errors))
    return HttpResponse(body, status=status_code, content_type="application/json")


def api_exception_handler(exc, context):
    """Every API error has the same JSON shape: status, error, detail, errors."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail}
        response.data = error_body(
            response.status_code,
            "invalid_request",
            "The request has invalid parameters; see errors.",
            {key: _as_list(value) for key, value in errors.items()},
        )
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else ""
        )
        response.data = error_body(
            response.status_code, getattr(exc, "default_code", "error"), str(detail)
        )
    return response


def _as_list(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]
