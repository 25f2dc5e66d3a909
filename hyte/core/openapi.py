"""The OpenAPI schema's shared parts: every client error is documented, with its body.

``hyte.core.api.exception_handler`` answers every error of every API view with ``{"code", "message",
"details"}``; the views document only their own success responses and, here and there, a coded 4xx.
This drf-spectacular post-processing hook makes the schema say what the API does (checked by the
schemathesis run in ``tests/core/test_fuzz_api.py``): each operation answers a client error (``4XX``:
a bad value 400, not logged in or not allowed 403, not found 404, a conflict 409, a rule 422, too many
requests 429 …) with the ``Error`` object, and a documented 4xx without a body gets that body.
"""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_COMPONENT = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Stable code for programs, e.g. not_found."},
        "message": {"type": "string", "description": "For people, in the request's language."},
        "details": {"type": "object", "additionalProperties": {}},
    },
    "required": ["code", "details", "message"],
}
CLIENT_ERROR = {
    "description": (
        "A client error (bad value 400, not logged in or not allowed 403, not found 404, conflict 409, "
        "unsupported media type 415, a rule not met 422, too many requests 429 …): "
        "{code, message, details} in the request's language."
    ),
    "content": {"application/json": {"schema": ERROR_REF}},
}
FHIR_JSON = "application/fhir+json"
OPERATION_OUTCOME = {
    "type": "object",
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {"type": "array", "items": {"type": "object"}, "minItems": 1},
    },
    "required": ["resourceType", "issue"],
}
FHIR_CLIENT_ERROR = {
    "description": "A client error as a FHIR OperationOutcome (issue codes in urn:hyte:error).",
    "content": {FHIR_JSON: {"schema": OPERATION_OUTCOME}, "application/json": {"schema": OPERATION_OUTCOME}},
}
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_COMPONENT)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            documented = [
                response.get("content") for status, response in responses.items() if str(status)[0] == "4"
            ]
            if any(content and FHIR_JSON in content for content in documented):
                # The FHIR views answer every error with an OperationOutcome, and any of their bodies
                # as plain application/json when asked so (Accept, or ?format=json).
                responses.setdefault("4XX", FHIR_CLIENT_ERROR)
                for response in responses.values():
                    content = response.get("content") or {}
                    if FHIR_JSON in content:
                        content.setdefault("application/json", content[FHIR_JSON])
                continue
            for status, response in responses.items():
                if str(status).startswith("4") and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
            responses.setdefault("4XX", CLIENT_ERROR)
    return result
