"""Rows for the API tokens page, the API docs page and the partner API (token or nothing:
a session never opens the partner API)."""

from tests.access import LOGIN, Row, anyone

OWNERS_ONLY = {
    "anonymous": LOGIN,
    "partner": 200,
    "member": 403,
    "other_partner": 200,
    "staff": 403,
    "plain_staff": 403,
}

ROWS = [
    Row("partner-api-tokens", lambda w: "/partner/api-tokens/", OWNERS_ONLY),
    Row(
        "partner-api-tokens-create-empty",
        lambda w: "/partner/api-tokens/",
        {**OWNERS_ONLY, "partner": 422, "other_partner": 422},
        method="post",
        data=lambda w: {"name": ""},
    ),
    Row(
        "partner-api-token-revoke-missing",
        lambda w: "/partner/api-tokens/999999/revoke/",
        {**OWNERS_ONLY, "partner": 404, "other_partner": 404},
        method="post",
    ),
    Row("api-docs", lambda w: "/docs/api/", anyone(200)),
    Row("api-schema", lambda w: "/api/v1/schema/", anyone(200)),
    # The partner API takes a bearer token only; a signed-in session is not a credential.
    Row("api-partner", lambda w: "/api/v1/partner/", anyone(401)),
    Row("api-partner-integrations", lambda w: "/api/v1/partner/integrations/", anyone(401)),
    Row(
        "api-partner-spec-post",
        lambda w: f"/api/v1/partner/integrations/{w.integration.pk}/spec/",
        anyone(401),
        method="post",
    ),
]
