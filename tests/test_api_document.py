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
