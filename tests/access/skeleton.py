"""Rows for the walking skeleton: accounts, the partner's pages and the staff pipeline."""

from tests.access import LOGIN, Row, anyone, partner_page, staff_page

LOGGED_IN_REDIRECT = {
    "anonymous": 200,
    "partner": 302,
    "member": 302,
    "other_partner": 302,
    "staff": 302,
    "plain_staff": 302,
}

PARTNER_ONLY = {
    "anonymous": LOGIN,
    "partner": 200,
    "member": 200,
    "other_partner": 200,
    "staff": 403,
    "plain_staff": 403,
}


def _refused_for_all_but_staff(staff: int) -> dict:
    return {**staff_page(), "staff": staff}


ROWS = [
    # Accounts
    Row("signup", lambda w: "/accounts/signup/", LOGGED_IN_REDIRECT),
    Row("login", lambda w: "/accounts/login/", LOGGED_IN_REDIRECT),
    Row(
        "signup-invalid",
        lambda w: "/accounts/signup/",
        {"anonymous": 422},
        method="post",
        data=lambda w: {"company_name": "Initech", "email": "not-an-address"},
    ),
    Row(
        "login-wrong-password",
        lambda w: "/accounts/login/",
        {"anonymous": 422},
        method="post",
        data=lambda w: {"username": "owner@acme.example.com", "password": "wrong password"},
    ),
    Row("logout", lambda w: "/accounts/logout/", anyone(302), method="post"),
    Row("password-reset", lambda w: "/accounts/password/reset/", anyone(200)),
    Row("password-reset-done", lambda w: "/accounts/password/reset/sent/", anyone(200)),
    Row(
        "password-reset-bad-link",
        lambda w: "/accounts/password/reset/Mg/bad-token/",
        anyone(400),
    ),
    Row("confirm-resend", lambda w: "/accounts/confirm/resend/", anyone(200)),
    Row("confirm-bad-token", lambda w: "/accounts/confirm/not-a-token/", anyone(400)),
    # Partner pages
    Row("partner-dashboard", lambda w: "/partner/", PARTNER_ONLY),
    Row("partner-profile", lambda w: "/partner/profile/", PARTNER_ONLY),
    Row(
        "partner-profile-bad-website",
        lambda w: "/partner/profile/",
        {**PARTNER_ONLY, "partner": 422, "member": 302, "other_partner": 422},
        method="post",
        data=lambda w: {"name": "Acme", "website": "javascript:alert(1)"},
        notes="a member's company fields are disabled: the post is ignored, nothing changes",
    ),
    Row("integration-create", lambda w: "/partner/integrations/new/", PARTNER_ONLY),
    Row(
        "integration-create-mobile",
        lambda w: "/partner/integrations/new/",
        {**PARTNER_ONLY, "partner": 422, "member": 422, "other_partner": 422},
        method="post",
        data=lambda w: {"name": "Acme Mobile", "mode": "device-mobile"},
    ),
    Row(
        "partner-integration",
        lambda w: f"/partner/integrations/{w.integration.pk}/",
        {**partner_page(), "plain_staff": 403},
    ),
    Row(
        "partner-integration-missing",
        lambda w: "/partner/integrations/999999/",
        {"anonymous": LOGIN, "partner": 404, "staff": 404},
    ),
    # Staff pages
    Row("staff-board", lambda w: "/staff/", staff_page()),
    Row("staff-board-search", lambda w: "/staff/?q=acme", staff_page()),
    Row("staff-integration", lambda w: f"/staff/integrations/{w.integration.pk}/", staff_page()),
    Row("staff-integration-missing", lambda w: "/staff/integrations/999999/", staff_page(404)),
    Row(
        "staff-promote-get",
        lambda w: f"/staff/integrations/{w.integration.pk}/promote/",
        staff_page(405),
    ),
    Row(
        "staff-promote-gate-fails",
        lambda w: f"/staff/integrations/{w.integration.pk}/promote/",
        staff_page(409),
        method="post",
        data=lambda w: {"expected_stage": "signup"},
    ),
    Row(
        "staff-promote-stale-stage",
        lambda w: f"/staff/integrations/{w.integration.pk}/promote/",
        staff_page(409),
        method="post",
        data=lambda w: {"expected_stage": "spec"},
    ),
    Row(
        "staff-promote-bad-stage",
        lambda w: f"/staff/integrations/{w.integration.pk}/promote/",
        staff_page(422),
        method="post",
        data=lambda w: {"expected_stage": "launched"},
    ),
    Row(
        "staff-roll-back-no-reason",
        lambda w: f"/staff/integrations/{w.integration.pk}/roll-back/",
        staff_page(422),
        method="post",
        data=lambda w: {"expected_stage": "signup", "reason": "  "},
    ),
    Row(
        "staff-roll-back-first-stage",
        lambda w: f"/staff/integrations/{w.integration.pk}/roll-back/",
        staff_page(409),
        method="post",
        data=lambda w: {"expected_stage": "signup", "reason": "Testing"},
    ),
    Row(
        "staff-roll-back-missing",
        lambda w: "/staff/integrations/999999/roll-back/",
        staff_page(404),
        method="post",
        data=lambda w: {"expected_stage": "spec", "reason": "Testing"},
    ),
]
