"""The OpenAPI document describes every API route the app serves, and nothing else."""

from __future__ import annotations

import re


def test_every_api_route_is_in_the_openapi_document(app, client):
    documented = {
        (path, method.upper())
        for path, operations in client.get("/api/v1/openapi.json").json["paths"].items()
        for method in operations
    }
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented


def _schema(client, path: str, method: str = "post") -> dict:
    operation = client.get("/api/v1/openapi.json").json["paths"][path][method]
    return operation["requestBody"]["content"]["application/json"]["schema"]


def test_every_field_the_server_requires_is_required_and_empty_strings_are_refused(client):
    announcement = _schema(client, "/api/v1/announcements")
    assert set(announcement["required"]) == {"subject", "body"}
    for field in ("subject", "body"):
        assert announcement["properties"][field]["minLength"] == 1
    subscription = _schema(client, "/api/v1/subscriptions")
    assert subscription["required"] == ["email"]
    assert subscription["properties"]["email"]["minLength"] == 1
    # Strands or preferences: one of them, and the server refuses neither and both.
    assert subscription["oneOf"] == [{"required": ["strands"]}, {"required": ["preferences"]}]
    assert subscription["properties"]["strands"]["minItems"] == 1
    deadline = _schema(client, "/api/v1/updates/{update_id}/deadline", "put")
    assert deadline["required"] == ["deadline"]
    assert deadline["properties"]["deadline"]["minLength"] == 1


def test_what_the_document_says_is_what_the_server_refuses(client):
    """The rules the document states hold at the server: each is a 400, never a 500."""
    url = "/api/v1/subscriptions"
    assert client.post(url, json={"email": "ada@example.org"}).status_code == 400
    assert client.post(url, json={"email": "", "strands": ["fraud-error-debt"]}).status_code == 400
    both = {"email": "a@example.org", "strands": ["fraud-error-debt"], "preferences": []}
    assert client.post(url, json=both).status_code == 400


def test_ids_in_paths_are_bounded_as_the_database_is(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, operations in paths.items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                    assert parameter["schema"]["minimum"] == 1, path
                    assert parameter["schema"]["maximum"] == 2**31 - 1, path


def test_errors_are_documented_as_problem_details(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(answer.get("content", {})) == ["application/problem+json"], (
                        path,
                        method,
                        status,
                    )


def test_a_405_says_which_methods_are_allowed(client):
    api = client.get("/api/v1/subscriptions")
    assert api.status_code == 405
    assert set(api.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
    assert api.mimetype == "application/problem+json"
    page = client.put("/subscribe")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]
