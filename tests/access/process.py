"""Rows for running the process: the “Needs you” inbox, the board's filters, emergency deploys,
graduating a listing."""

from tests.access import LOGIN, Row, staff_page

PR = "https://github.com/segmentio/action-destinations/pull/6160"


def setup(world):
    from django.utils import timezone

    from catalog.models import PullRequest, Stage
    from tests import factories

    world.deploying = factories.IntegrationFactory(
        partner=world.partner_user.partner, name="Acme Ship", slug="acme-ship", stage=Stage.BUILD
    )
    world.merged_pr = PullRequest.objects.create(
        integration=world.deploying,
        url=PR,
        kind="code",
        state=PullRequest.State.MERGED,
        merged_at=timezone.now(),
    )
    world.public_beta = factories.IntegrationFactory(
        partner=world.partner_user.partner,
        name="Acme Public",
        slug="acme-public",
        stage=Stage.PUBLIC,
        listing_status="public_beta",
    )


def deploy(w) -> str:
    return f"/staff/pull-requests/{w.merged_pr.pk}/deploy/"


ROWS = [
    Row("staff-inbox", lambda w: "/staff/inbox/", staff_page()),
    Row(
        "staff-board-filtered",
        lambda w: "/staff/?waiting_on=staff&overdue=on&stalled=3&stage=build",
        staff_page(),
    ),
    Row(
        "staff-emergency-deploy",
        deploy,
        staff_page(302),
        method="post",
        data=lambda w: {f"deploy{w.merged_pr.pk}-reason": "Hotfix for a broken mapping"},
    ),
    Row(
        "staff-emergency-deploy-without-reason",
        deploy,
        {"staff": 422},
        method="post",
        data=lambda w: {f"deploy{w.merged_pr.pk}-reason": ""},
    ),
    Row("staff-emergency-deploy-get", deploy, {"staff": 405, "anonymous": LOGIN}),
    Row(
        "staff-emergency-deploy-unknown",
        lambda w: "/staff/pull-requests/999999/deploy/",
        {"staff": 404},
        method="post",
        data=lambda w: {"deploy999999-reason": "x"},
    ),
]


ROWS += [
    Row(
        "staff-graduate",
        lambda w: f"/staff/integrations/{w.public_beta.pk}/graduate/",
        staff_page(302),
        method="post",
    ),
    Row(
        "staff-graduate-not-public",
        lambda w: f"/staff/integrations/{w.integration.pk}/graduate/",
        {"staff": 409},
        method="post",
    ),
]
