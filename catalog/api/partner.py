"""The partner API, for partners' CI: ``/api/v1/partner/``.

Every endpoint acts as the owner whose token it is and goes through the same forms, services and
validation as the partner's pages, so a refusal has the page's status and messages. Each write
takes ``dry_run``: the same service runs inside a transaction that is always rolled back (files
it stored are deleted, notifications and queued work go with the rollback), and the answer is
what the page would have said.
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from ninja import Query, Router, Schema, Status

from catalog import stages
from catalog.api.auth import TokenAuth
from catalog.api.schemas import (
    Error,
    IntegrationList,
    IntegrationOut,
    Me,
    MetadataOut,
    Outcome,
    PullRequestIn,
    PullRequestOut,
    SpecOut,
)
from catalog.ball import who_has_the_ball
from catalog.errors import BadRequest, Invalid, TooLarge
from catalog.forms.metadata import MetadataForm
from catalog.forms.spec import DocsPullRequestForm, PullRequestForm
from catalog.models import PullRequest, ReviewStatus
from catalog.selectors import api as api_selectors
from catalog.selectors import ball as ball_selectors
from catalog.selectors import metadata as metadata_selectors
from catalog.selectors import spec as spec_selectors
from catalog.services import metadata as metadata_service
from catalog.services import pull_requests as pr_service
from catalog.services import spec as spec_service
from catalog.services.access import check_active
from catalog.services.spec import SpecInvalid
from catalog.validation import spec as spec_validation

router = Router(auth=TokenAuth(), tags=["Partner API"])

REFUSALS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 413: Error, 422: Error}
REFUSALS_READ = {401: Error, 404: Error, 429: Error}


class DryRun(Schema):
    dry_run: bool = False


class SpecWrite(DryRun):
    submit: bool = False


class MetadataWrite(DryRun):
    submit: bool = False


class _Rollback(Exception):
    pass


def _run(dry_run: bool, call):
    """Call the service; with ``dry_run`` inside a transaction that is always rolled back."""
    if not dry_run:
        return call()
    result = None
    try:
        with transaction.atomic():
            result = call()
            raise _Rollback
    except _Rollback:
        pass
    return result


def _actor(request):
    return request.auth.created_by


def _abs(request, url: str | None) -> str | None:
    return request.build_absolute_uri(url) if url else None


def _integration_out(request, integration, rules) -> dict:
    facts = ball_selectors.facts_of(integration)
    items, waiting = facts.checklist, who_has_the_ball(facts, rules)
    pk = integration.pk
    base = f"/api/v1/partner/integrations/{pk}/"
    return {
        "id": pk,
        "name": integration.name,
        "slug": integration.slug,
        "stage": integration.stage,
        "next_stage": stages.NEXT.get(integration.stage),
        "waiting_on": waiting.waiting_on or None,
        "waiting_since": waiting.since.isoformat() if waiting.since else None,
        "due": waiting.due.isoformat() if waiting.due else None,
        "overdue": waiting.overdue,
        "next_step": waiting.next_step or None,
        "checklist": [
            {
                "key": i.key,
                "label": i.label,
                "passed": i.passed,
                "detail": i.detail,
                "fix_url": _abs(request, i.fix_url),
            }
            for i in items
        ],
        "url": request.build_absolute_uri(base),
        "spec_url": request.build_absolute_uri(base + "spec/"),
        "metadata_url": request.build_absolute_uri(base + "metadata/"),
        "pull_requests_url": request.build_absolute_uri(base + "pull-requests/"),
    }


def _revision_out(revision) -> dict | None:
    if revision is None:
        return None
    return {
        "number": revision.number,
        "status": revision.status,
        "created_at": revision.created_at.isoformat(),
    }


def _integration(request, pk: int):
    return api_selectors.api_integration(user=_actor(request), pk=pk)


def _writable(request, pk: int):
    """The integration, for a change: withdrawn or archived ones are read-only (409)."""
    integration = _integration(request, pk)
    check_active(integration)
    return integration


# --- Who am I, integrations ---------------------------------------------------------------------


@router.get("", response={200: Me, **REFUSALS_READ}, summary="The token's partner")
def me(request):
    token = request.auth
    return {
        "partner": token.partner.name,
        "token": token.name,
        "acting_as": token.created_by.email,
        "integrations_url": request.build_absolute_uri("/api/v1/partner/integrations/"),
    }


@router.get(
    "integrations/",
    response={200: IntegrationList, **REFUSALS_READ},
    summary="The partner's integrations: stage, gate checklist, who has the ball",
)
def integrations(request):
    rules = ball_selectors.rules()
    rows = [
        _integration_out(request, i, rules)
        for i in api_selectors.api_integrations(user=_actor(request))
    ]
    return {"count": len(rows), "results": rows}


@router.get(
    "integrations/{int:pk}/",
    response={200: IntegrationOut, **REFUSALS_READ},
    summary="One integration",
)
def integration(request, pk: int):
    return _integration_out(request, _integration(request, pk), ball_selectors.rules())


# --- Spec ---------------------------------------------------------------------------------------


@router.get(
    "integrations/{int:pk}/spec/",
    response={200: SpecOut, **REFUSALS_READ},
    summary="The spec: latest revision and its definition (the editor's starting point)",
)
def spec(request, pk: int):
    integration = _integration(request, pk)
    live = integration.live_spec
    return {
        "latest": _revision_out(spec_selectors.latest_revision(integration=integration)),
        "live": live.number if live else None,
        "definition": spec_selectors.editor_definition(integration=integration),
    }


SPEC_BODY = {
    "requestBody": {
        "required": True,
        "description": "The spec definition, as the spec page exports it.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post(
    "integrations/{int:pk}/spec/",
    response={200: Outcome, 201: Outcome, **REFUSALS},
    summary="Save the spec as a new revision (submit=true: send it for review)",
    openapi_extra=SPEC_BODY,
)
def spec_save(request, pk: int, params: Query[SpecWrite]):
    integration = _writable(request, pk)
    if request.content_type != "application/json":
        raise BadRequest("Send the spec as JSON (Content-Type: application/json).")
    data, errors = spec_validation.parse_json(request.body)
    if errors:
        if errors[0].code == "too_large":
            raise TooLarge(errors[0].message, items=errors)
        raise SpecInvalid(errors)
    revision = _run(
        params.dry_run,
        lambda: spec_service.spec_save(
            actor=_actor(request),
            integration_id=integration.pk,
            definition=data,
            submit=params.submit,
        ),
    )
    if revision.status == ReviewStatus.SUBMITTED:
        message = f"Revision {revision.number} is saved and sent to staff for review."
    else:
        message = f"Saved as draft revision {revision.number}."
    return _outcome(request, params.dry_run, message, revision, f"/partner/integrations/{pk}/spec/")


@router.post(
    "integrations/{int:pk}/spec/r{int:number}/submit/",
    response={200: Outcome, **REFUSALS},
    summary="Send a draft spec revision for review",
)
def spec_submit(request, pk: int, number: int, params: Query[DryRun]):
    integration = _writable(request, pk)
    revision = _run(
        params.dry_run,
        lambda: spec_service.spec_submit(
            actor=_actor(request), integration_id=integration.pk, number=number
        ),
    )
    message = f"Revision {revision.number} is sent to staff for review."
    outcome = _outcome(
        request, params.dry_run, message, revision, f"/partner/integrations/{pk}/spec/"
    )
    return Status(200, outcome.value)


def _outcome(request, dry_run: bool, message: str, revision, page: str, warnings=None):
    body = {
        "dry_run": dry_run,
        "saved": not dry_run,
        "message": message,
        "revision": None if dry_run else _revision_out(revision),
        "warnings": warnings or None,
        "url": request.build_absolute_uri(page),
    }
    return Status(200 if dry_run else 201, body)


# --- Metadata -----------------------------------------------------------------------------------

METADATA_TEXT = [
    "name",
    "pr_url",
    "description",
    "website",
    "primary_category",
    "secondary_category",
    "support_email",
    "caption_1",
    "caption_2",
    "remove_screenshot_1",
    "remove_screenshot_2",
    "base",
]
METADATA_FILES = ["logo", "mark", "screenshot_1", "screenshot_2"]


def _field_schema(name: str) -> dict:
    if name in METADATA_FILES:
        return {"type": "string", "format": "binary"}
    if name.startswith("remove_"):
        return {"type": "boolean"}
    if name == "base":
        return {"type": "integer", "minimum": 0}
    return {"type": "string"}


METADATA_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "The metadata form's fields. A field left out keeps the latest revision's value; "
            "a file left out keeps the stored file."
        ),
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {n: _field_schema(n) for n in METADATA_TEXT + METADATA_FILES},
                }
            }
        },
    }
}


def _metadata_fields(revision) -> dict:
    if revision is None:
        return {}
    return {
        "name": revision.name,
        "pr_url": revision.pr_url,
        "description": revision.description,
        "website": revision.website,
        "primary_category": revision.primary_category.slug if revision.primary_category else None,
        "secondary_category": revision.secondary_category.slug
        if revision.secondary_category
        else None,
        "support_email": revision.support_email,
    }


@router.get(
    "integrations/{int:pk}/metadata/",
    response={200: MetadataOut, **REFUSALS_READ},
    summary="Catalog metadata: latest revision, its text fields and the check of its files",
)
def metadata(request, pk: int):
    integration = _integration(request, pk)
    latest = metadata_selectors.latest_revision(integration=integration)
    return {
        "latest": _revision_out(latest),
        "live": integration.live_metadata.number if integration.live_metadata else None,
        "fields": _metadata_fields(latest),
        "asset_report": latest.asset_report if latest else None,
    }


def _metadata_form(request, integration, latest, submit: bool) -> MetadataForm:
    if not request.content_type.startswith(("multipart/form-data", "application/x-www-form")):
        raise BadRequest(
            "Send the metadata as multipart/form-data, with the metadata form's field names."
        )
    unknown = sorted(
        (set(request.POST) | set(request.FILES)) - set(METADATA_TEXT) - set(METADATA_FILES)
    )
    if unknown:
        raise BadRequest(
            f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)[:200]}. "
            f"Fields: {', '.join(METADATA_TEXT + METADATA_FILES)}."
        )
    data = QueryDict(mutable=True)
    for key, value in MetadataForm.initial_from(integration, latest).items():
        data[key] = getattr(value, "slug", value) if value is not None else ""
    for key in METADATA_TEXT:
        if key in request.POST:
            data.setlist(key, request.POST.getlist(key)[:1])
    data["action"] = "submit" if submit else "save"
    return MetadataForm(data, request.FILES, integration=integration, latest=latest)


def _stored_names(revision) -> set[str]:
    if revision is None:
        return set()
    names = {getattr(revision, role).name for role in ("logo", "mark") if getattr(revision, role)}
    for image in revision.images.all():
        names |= {n for n in (image.image.name, image.thumbnail.name) if n}
    return names


@router.post(
    "integrations/{int:pk}/metadata/",
    response={200: Outcome, 201: Outcome, **REFUSALS},
    summary="Save catalog metadata (text fields and files) as a new revision",
    openapi_extra=METADATA_BODY,
)
def metadata_save(request, pk: int, params: Query[MetadataWrite]):
    integration = _writable(request, pk)
    latest = metadata_selectors.latest_revision(integration=integration)
    form = _metadata_form(request, integration, latest, params.submit)
    if not form.is_valid():
        errors = {name: list(texts) for name, texts in form.errors.items()}
        count = sum(len(v) for v in errors.values())
        raise BadRequest(
            f"{count} problem{'s' if count != 1 else ''} to fix; nothing was saved.",
            errors={(None if k == "__all__" else k): v for k, v in errors.items()},
        )
    before = _stored_names(latest)
    values = form.to_input()
    stored: set[str] = set()

    def save():
        revision = metadata_service.metadata_save(
            actor=_actor(request),
            integration_id=integration.pk,
            values=values,
            submit=form.submit,
            base_number=form.cleaned_data.get("base"),
        )
        stored.update(_stored_names(revision) - before)
        return revision

    revision = _run(params.dry_run, save)
    if params.dry_run:
        for name in stored:  # the files of a revision that was rolled back
            default_storage.delete(name)
    if revision.status == ReviewStatus.SUBMITTED:
        message = f"Revision r{revision.number} is saved and sent to staff for review."
    else:
        message = f"Draft r{revision.number} is saved."
    _, warnings = metadata_service.revision_problems(revision) if not params.dry_run else ({}, {})
    return _outcome(
        request,
        params.dry_run,
        message,
        revision,
        f"/partner/integrations/{pk}/metadata/",
        warnings={k: [p.message for p in v] for k, v in warnings.items()},
    )


# --- Pull requests ------------------------------------------------------------------------------


def _pull_request_out(pr) -> dict:
    return {
        "id": pr.pk,
        "kind": pr.kind,
        "url": pr.url,
        "state": pr.state,
        "description": pr.description,
        "unit_tests_added": pr.unit_tests_added,
        "tested_end_to_end": pr.tested_end_to_end,
        "expected_deploy": None,
    }


@router.get(
    "integrations/{int:pk}/pull-requests/",
    response={200: list[PullRequestOut], **REFUSALS_READ},
    summary="Recorded pull requests (code and docs)",
)
def pull_requests(request, pk: int):
    integration = _integration(request, pk)
    return [_pull_request_out(pr) for pr in spec_selectors.pull_requests(integration=integration)]


@router.post(
    "integrations/{int:pk}/pull-requests/",
    response={200: Outcome, 201: Outcome, **REFUSALS},
    summary="Record a pull request (kind code: the destination; docs: the documentation)",
)
def pull_request_record(request, pk: int, body: PullRequestIn, params: Query[DryRun]):
    integration = _writable(request, pk)
    data = body.dict()
    if body.kind == PullRequest.Kind.DOCS:
        form = DocsPullRequestForm(data={"url": data["url"], "description": data["description"]})
    else:
        form = PullRequestForm(
            data={k: data[k] for k in ("url", "description")}
            | {k: "on" for k in ("unit_tests_added", "tested_end_to_end") if data[k]}
        )
    if not form.is_valid():
        errors = {name: list(texts) for name, texts in form.errors.items()}
        raise Invalid("Check the pull request's fields.", errors=errors)
    _run(
        params.dry_run,
        lambda: pr_service.pull_request_record(
            actor=_actor(request),
            integration_id=integration.pk,
            kind=body.kind,
            **form.cleaned_data,
        ),
    )
    message = (
        "Documentation pull request recorded."
        if body.kind == PullRequest.Kind.DOCS
        else "Pull request recorded. Staff are notified and will review it."
    )
    page = "docs" if body.kind == PullRequest.Kind.DOCS else "pull-requests"
    return _outcome(request, params.dry_run, message, None, f"/partner/integrations/{pk}/{page}/")
