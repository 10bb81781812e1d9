"""R9: schemathesis against the generated OpenAPI document, in-process, with a valid token.

Every operation is called with generated parameters and bodies, both fitting the document
and deliberately not fitting it, half the time aimed at real objects (a seeded round with
results). No response may be a server error, and every response must match the document:
its status is documented, its content type is JSON and its body fits the schema.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from maturity.accounts.models import Role
from maturity.api.models import TokenScope
from maturity.api.openapi import openapi_path
from maturity.api.registry import OPERATIONS, bp
from tests.factories import RoleGrantFactory
from tests.maturity.api_support import API, bearer, issue_token
from tests.surveys.dashboard_support import seed_results

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 12


def _registered_operations() -> set[tuple[str, str]]:
    return {
        (operation.method, openapi_path(bp.url_prefix + operation.rule))
        for operation in OPERATIONS.values()
        if not operation.is_public  # schemathesis leaves out the document itself
    }


def _fuzz(operation, mode: GenerationMode, headers: dict, real: dict) -> None:
    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(data):
        case = data.draw(operation.as_strategy(generation_mode=mode))
        if case.path_parameters and data.draw(st.booleans()):
            aimed = {k: v for k, v in real.items() if k in case.path_parameters}
            case.path_parameters = {**case.path_parameters, **aimed}
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_matches_its_document(app, world, client, monkeypatch, mode):
    seeded = seed_results(world)
    # Both convenor and coordinator, so that every operation can answer 200.
    RoleGrantFactory(user=world.convenor, role=Role.COORDINATOR, organisation=world.organisation)
    headers = bearer(issue_token(world.convenor, TokenScope.READ_WRITE))
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 10**9)
    real = {
        "collab_slug": world.collaborative.slug,
        "org_slug": world.organisation.slug,
        "round_id": seeded.latest_round_id,
    }
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    covered = {(operation.method.upper(), operation.path) for operation in operations}
    assert covered >= _registered_operations()
    for operation in operations:
        _fuzz(operation, mode, headers, real)
