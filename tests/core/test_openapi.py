"""The OpenAPI schema documents every client error with its body (``hyte/core/openapi.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    response = Client().get("/api/schema/", headers={"accept": "application/json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_documents_its_client_errors(schema: dict[str, Any]) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "details", "message"]
    found = operations(schema)
    assert len(found) > 90
    for path, method, operation in found:
        responses = operation["responses"]
        assert "4XX" in responses, (method, path)
        if path.startswith("/api/v1/fhir/"):
            outcome = responses["4XX"]["content"]["application/fhir+json"]["schema"]
            assert outcome["properties"]["resourceType"]["enum"] == ["OperationOutcome"]
            continue
        assert responses["4XX"]["content"] == {"application/json": {"schema": error}}, (method, path)
        for status, response in responses.items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == error, (method, path, status)


def test_a_documented_error_without_a_body_gets_the_error_body(schema: dict[str, Any]) -> None:
    responses = schema["paths"]["/api/v1/reports/{key}/"]["get"]["responses"]
    assert set(responses) == {"200", "400", "403", "404", "4XX"}
    assert responses["403"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
    }


def test_fhir_answers_are_documented_as_plain_json_too(schema: dict[str, Any]) -> None:
    responses = schema["paths"]["/api/v1/fhir/ServiceRequest"]["post"]["responses"]
    for status in ("200", "201", "400", "409", "422", "4XX"):
        assert set(responses[status]["content"]) == {"application/fhir+json", "application/json"}, status
