"""Rows for the beta area: the partner's invites page and actions, the customer's pages."""

from catalog.models import Stage
from tests import factories
from tests.access import LOGIN, Row, anyone, partner_page
from tests.data.catalog import approve_metadata, beta_link


def setup(world):
    world.beta_integration = factories.IntegrationFactory(
        partner=world.partner_user.partner,
        name="Acme Beta",
        slug="acme-beta",
        stage=Stage.PRIVATE_BETA,
    )
    approve_metadata(world.beta_integration)
    world.beta_link, world.beta_token = beta_link(world.beta_integration)


def _page(w, suffix=""):
    return f"/partner/integrations/{w.beta_integration.pk}/beta/{suffix}"


def _action(ok):
    """Owners and staff with the permission may act; members may not (the service refuses), nor
    staff without the view-integration permission (the page refuses)."""
    return {
        "anonymous": LOGIN,
        "partner": ok,
        "member": 403,
        "other_partner": 404,
        "staff": ok,
        "plain_staff": 403,
        "viewer_staff": 403,
    }


ROWS = [
    # Staff without the view-integration permission don't see an integration's pages, and the
    # invites (customers' addresses) need the beta-view permission too (issue 11).
    Row("partner_beta", _page, {**partner_page(), "plain_staff": 403, "viewer_staff": 403}),
    Row(
        "partner_beta-issue",
        _page,
        _action(302),  # post/redirect/get: the next GET shows the new link once
        method="post",
        data=lambda w: {"email": "new@shop.example.com", "days": "10"},
    ),
    Row(
        "partner_beta_revoke",
        lambda w: _page(w, f"{w.beta_link.pk}/revoke/"),
        _action(302),
        method="post",
    ),
    Row(
        "partner_beta_extend",
        lambda w: _page(w, f"{w.beta_link.pk}/extend/"),
        _action(302),
        method="post",
        data=lambda w: {"days": "5"},
    ),
    Row("beta_open", lambda w: f"/beta/{w.beta_token}/", anyone(200)),
    Row(
        "beta_verify",
        lambda w: f"/beta/{w.beta_token}/verify/",
        anyone(302),  # post/redirect/get: the result is the GET of the same URL
        method="post",
        data=lambda w: {"workspace_name": "Shop prod"},
    ),
    # Not confirmed yet: the result's GET leads back to the beta page.
    Row("beta_verify-result", lambda w: f"/beta/{w.beta_token}/verify/", anyone(302)),
    Row("beta_open-unknown", lambda w: "/beta/" + "A" * 43 + "/", anyone(404)),
    Row("beta_open-malformed", lambda w: "/beta/nope/", anyone(404)),
]
