"""Regression tests for the defects the reliability suite found (one test per fix)."""
from __future__ import annotations

from reliability_helpers import build_world

from afrobiz.api.problems import DOCUMENTED_ERRORS


async def test_booleans_are_not_coerced_from_numbers(db, client):
    # Fuzzing found PATCH /me and PUT /me/notification-preferences taking 0 for false.
    world = await build_world(db)
    headers = world.a.customer.headers
    r = await client.patch("/api/v1/me", json={"marketing_consent": 0}, headers=headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "marketing_consent"
    r = await client.put("/api/v1/me/notification-preferences", headers=headers,
                         json={"items": [{"type": "booking_confirmed", "whatsapp": 0}]})
    assert r.status_code == 422
    r = await client.patch("/api/v1/me", json={"marketing_consent": True}, headers=headers)
    assert r.status_code == 200 and r.json()["marketing_consent"] is True


async def test_405_lists_every_method_of_the_path(client):
    # The router named only the first matching route's methods (Allow: GET on /api/v1/me).
    r = await client.request("OPTIONS", "/api/v1/me")
    assert r.status_code == 405
    assert r.headers["allow"] == "DELETE, GET, PATCH"
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_openapi_lists_the_problem_responses_of_every_operation(client):
    document = (await client.get("/api/v1/openapi.json")).json()
    assert "Problem" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in DOCUMENTED_ERRORS:
                response = operation["responses"][str(status)]
                assert list(response["content"]) == ["application/problem+json"], (method, path, status)
            assert "500" not in operation["responses"]


async def test_null_for_a_required_profile_field_is_no_change(db, client):
    # Fuzzing found PATCH /me {"preferred_language": null} answering 500 (NOT NULL column).
    world = await build_world(db)
    r = await client.patch("/api/v1/me", json={"preferred_language": None, "marketing_consent": None,
                                               "location_city": "Rundu"}, headers=world.a.customer.headers)
    assert r.status_code == 200, r.text
    assert r.json()["preferred_language"] == "en" and r.json()["location_city"] == "Rundu"


async def test_birth_date_is_not_read_from_a_number(db, client):
    # Fuzzing found PATCH /me {"date_of_birth": 0} stored as 1970-01-01.
    world = await build_world(db)
    headers = world.a.customer.headers
    assert (await client.patch("/api/v1/me", json={"date_of_birth": 0}, headers=headers)).status_code == 422
    r = await client.patch("/api/v1/me", json={"date_of_birth": "1990-05-17"}, headers=headers)
    assert r.status_code == 200 and r.json()["date_of_birth"] == "1990-05-17"


def test_a_clean_up_error_on_top_of_a_lost_connection_is_still_an_outage():
    # The soak found a 500: the connection died inside acting_as_system(), whose clean-up
    # then raised PendingRollbackError on top of the OperationalError.
    import sqlalchemy.exc

    from afrobiz.api.problems import is_outage

    lost = sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    try:
        try:
            raise lost
        finally:
            raise sqlalchemy.exc.PendingRollbackError("Can't reconnect until invalid transaction is rolled back.")
    except sqlalchemy.exc.PendingRollbackError as on_top:
        assert is_outage(on_top)
    assert not is_outage(ValueError("a bug"))
