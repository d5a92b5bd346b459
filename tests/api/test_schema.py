"""The OpenAPI document is valid and the live API honours it: schemathesis over every operation.

Checks: no 5xx, every status documented, every content type and body as the schema says.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(db):
    # The real WSGI application sends request_started/finished, whose close_old_connections would close the test's
    # PostgreSQL connection inside its transaction: kept off, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db):
    """The demo (Đức Giang 2021 at awaiting_guidance) and the secretary's token."""
    from workflows.demo import seed_demo

    review, _ = seed_demo()
    token, _ = Token.objects.get_or_create(user=review.opened_by)
    return {"Authorization": f"Token {token.key}"}


def test_the_schema_validates_and_lists_every_operation(client):
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert ("post", "/api/v1/reviews/{review_id}/transitions/{name}/") in operations
    # + the rating rounds (api/views/rounds.py), the ballot (GET, PUT), the corrections and the people search,
    # and the background exports (list, ask, one, its file)
    assert len(operations) == 29 + 5 + 2 + 5 + 4
    for method, path in operations:
        responses = document["paths"][path][method]["responses"]
        if path not in ("/api/v1/schema/",):
            assert "401" in responses, (method, path)


def test_interactive_docs_are_served_without_a_cdn(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content


def test_every_operation_honours_the_schema(api_schema, seeded):
    """Every operation, positive and negative inputs (schemathesis' pytest plugin does not run on pytest 9,
    so the operations are driven with hypothesis directly)."""
    from schemathesis import GenerationMode

    operations = [result.ok() for result in api_schema.get_all_operations()]
    # + the rating rounds (api/views/rounds.py), the ballot (GET, PUT), the corrections and the people search,
    # and the background exports (list, ask, one, its file)
    assert len(operations) == 29 + 5 + 2 + 5 + 4
    token = Token.objects.get(key=seeded["Authorization"].split()[1])
    for operation in operations:
        inputs = (operation.path_parameters, operation.query, operation.body)
        # An operation with no input but its credentials (DELETE /auth/token/) has no negative case to generate.
        modes = (
            (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if any(map(len, inputs)) else (GenerationMode.POSITIVE,)
        )
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
            def check(case):
                # DELETE /auth/token/ revokes the caller's token: give it back for the next case.
                Token.objects.get_or_create(key=token.key, defaults={"user_id": token.user_id})
                case.call_and_validate(headers=seeded, checks=CHECKS)

            check()
