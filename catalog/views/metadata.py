"""Pages of the metadata area: the partner's catalog-entry form and preview, the staff review
queue and review page (``catalog.review_submissions``), and the asset view serving stored files.
"""

import re

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from catalog import permissions, selectors
from catalog.errors import ApplicationError, BadRequest, Forbidden, Invalid, NotFound, Unavailable
from catalog.forms.metadata import MetadataForm, MetadataReviewForm
from catalog.listing import LOGO_MAX_HEIGHT, LOGO_MAX_WIDTH, MARK_SIZE, listing_for_revision
from catalog.models import Integration, ReviewStatus, Stage
from catalog.selectors import metadata as reads
from catalog.services import metadata as svc
from catalog.validation import text
from catalog.views.access import integration_page as access_integration_page
from catalog.views.access import staff_page
from catalog.views.refusals import at_fields

ASSET_NAME = re.compile(r"^[0-9a-f]{32}\.(svg|png|jpg|jpeg)$")
ASSET_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
# Even if a browser opens an SVG directly, nothing in it may run or load.
ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"

# Form fields grouped as the page shows them; a staff comment on a review key shows at a field.
SECTIONS = [
    ("Name and pull request", ["name", "pr_url"]),
    ("Catalog text", ["description", "website", "primary_category", "secondary_category"]),
    ("Logo and mark", ["logo", "mark"]),
    (
        "Screenshots",
        [
            "screenshot_1",
            "caption_1",
            "remove_screenshot_1",
            "screenshot_2",
            "caption_2",
            "remove_screenshot_2",
        ],
    ),  # fmt: skip
    ("Support", ["support_email"]),
]
COMMENT_AT = {"categories": "primary_category", "screenshots": "screenshot_1"}


integration_page = access_integration_page(
    partner_writes="Only the integration's partner users can edit its catalog entry."
)


def _can_edit(user, integration: Integration) -> bool:
    return user.is_partner and user.partner_id == integration.partner_id


def _field_notes(form, latest, files, errors_pending, warnings) -> list[tuple[str, list]]:
    """Rows per section: the bound field with its warnings, pending problems, staff comment and
    (for files) the current file."""
    comments: dict[str, str] = {}
    if latest is not None and latest.status == ReviewStatus.CHANGES_REQUESTED:
        for key, comment in (latest.field_comments or {}).items():
            comments[COMMENT_AT.get(key, key)] = comment
    current: dict[str, str] = {}
    if files is not None:
        current = {"logo": files.logo_url, "mark": files.mark_url}
        for position, shot in enumerate(files.screenshots[:2], start=1):
            current[f"screenshot_{position}"] = shot["thumbnail_url"] or shot["url"]
    visible = len(text.visible_text(latest.description_html)) if latest is not None else None
    sections = []
    for title, names in SECTIONS:
        rows = []
        for name in names:
            if name.startswith("remove_") and not current.get(name.replace("remove_", "")):
                continue  # nothing to remove in this slot
            rows.append(
                {
                    "field": form[name],
                    "warnings": [p.message for p in warnings.get(name, [])],
                    "pending": [p.message for p in errors_pending.get(name, [])],
                    "comment": comments.get(name, ""),
                    "current": current.get(name, ""),
                    "visible": visible,
                    "max_visible": text.DESCRIPTION_MAX_VISIBLE,
                }
            )
        sections.append((title, rows))
    return sections


def _form_page(request, integration, *, form=None, warnings=None, refusal="", status=200):
    latest = reads.latest_revision(integration=integration)
    if form is None:
        form = MetadataForm(integration=integration, latest=latest)
    pending: dict = {}
    if warnings is None:
        warnings = {}
        # A stored draft: show what would stop "Submit", so nothing surprises the partner.
        if latest is not None and latest.status in (
            ReviewStatus.DRAFT,
            ReviewStatus.CHANGES_REQUESTED,
        ):
            pending, warnings = svc.revision_problems(latest)
    files = listing_for_revision(integration, latest) if latest else None
    context = {
        "integration": integration,
        "form": form,
        "latest": latest,
        "files": files,
        "live": integration.live_metadata,
        "in_review": reads.in_review(integration=integration),
        "review": latest if latest and latest.status == ReviewStatus.CHANGES_REQUESTED else None,
        "sections": _field_notes(form, latest, files, pending, warnings),
        "pending_count": sum(len(v) for v in pending.values()),
        "revisions": reads.revisions(integration=integration),
        "can_edit": _can_edit(request.user, integration),
        # One summary in the form, above the fields, rather than a message and an alert.
        "refusal": refusal,
    }
    return render(request, "catalog/metadata/form.html", context, status=status)


@integration_page
@require_http_methods(["GET", "POST"])
@never_cache
def partner_metadata(request, integration):
    if request.method == "GET":
        return _form_page(request, integration)
    if not _can_edit(request.user, integration):
        raise Forbidden("Only the integration's partner users can edit its catalog entry.")
    latest = reads.latest_revision(integration=integration)
    form = MetadataForm(request.POST, request.FILES, integration=integration, latest=latest)
    if not form.is_valid():
        # The page's buttons always send an action: without one the request was made elsewhere.
        status = BadRequest.status if form.has_error("action") else Invalid.status
        return _form_page(request, integration, form=form, status=status)
    try:
        revision = svc.metadata_save(
            actor=request.user,
            integration_id=integration.pk,
            values=form.to_input(),
            submit=form.submit,
            base_number=form.cleaned_data.get("base"),
        )
    except svc.MetadataInvalid as error:
        form.add_problems(error.errors)
        return _form_page(
            request,
            integration,
            form=form,
            warnings=error.warnings,
            refusal=error.message,
            status=Invalid.status,
        )
    except ApplicationError as error:
        status = at_fields(form, error)
        return _form_page(request, integration, form=form, status=status)
    if revision.status == ReviewStatus.SUBMITTED:
        messages.success(
            request, f"Revision r{revision.number} is saved and sent to staff for review."
        )
    else:
        messages.success(request, f"Draft r{revision.number} is saved.")
    return redirect("partner_metadata", integration.pk)


@integration_page
@require_GET
def partner_metadata_preview(request, integration):
    number = request.GET.get("revision")
    if number:
        revision = reads.revision_for(integration=integration, number=number)
    else:
        revision = reads.latest_revision(integration=integration)
    context = {
        "integration": integration,
        "revision": revision,
        "listing": listing_for_revision(integration, revision),
        "is_live": revision is not None and revision.pk == integration.live_metadata_id,
        "mark_size": MARK_SIZE,
        "logo_max_height": LOGO_MAX_HEIGHT,
        "logo_max_width": LOGO_MAX_WIDTH,
    }
    return render(request, "catalog/metadata/preview.html", context)


# --- Staff ---------------------------------------------------------------------------------------


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_GET
def staff_metadata_queue(request):
    return render(request, "catalog/metadata/staff_queue.html", {"queue": reads.review_queue()})


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_GET
def staff_metadata(request, pk: int):
    """The revision to look at: the one in review, else the latest."""
    integration = selectors.integration_for(user=request.user, pk=pk)
    revision = reads.to_review(integration=integration)
    if revision is None:
        return render(request, "catalog/metadata/staff_none.html", {"integration": integration})
    return redirect("staff_metadata_review", integration.pk, revision.number)


def approval_message(integration, number: int) -> str:
    """What an approval does depends on the stage: before launch nothing is shown yet."""
    if integration.stage == Stage.PUBLIC:
        return f"Revision r{number} is approved; the public catalog shows it now."
    if integration.stage == Stage.PRIVATE_BETA:
        return f"Revision r{number} is approved; beta pages show it now, the catalog at launch."
    return f"Revision r{number} is approved; the catalog shows it at launch."


def _review_page(request, integration, revision, *, form=None, status=200):
    live = integration.live_metadata
    base = live if live is not None and live.pk != revision.pk else None
    problems, warnings = svc.revision_problems(revision)
    form = form or MetadataReviewForm()
    rows = reads.revision_diff(old=base, new=revision)
    for row in rows:
        row["comment_field"] = form[f"comment_{row['key']}"]
    context = {
        "integration": integration,
        "revision": revision,
        "base": base,
        "rows": rows,
        "form": form,
        "problems": [p for items in problems.values() for p in items],
        "warnings": [p for items in warnings.values() for p in items],
        "assets_ok": bool((revision.asset_report or {}).get("ok")),
        "can_decide": revision.status == ReviewStatus.SUBMITTED,
    }
    return render(request, "catalog/metadata/staff_review.html", context, status=status)


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_http_methods(["GET", "POST"])
def staff_metadata_review(request, pk: int, number: int):
    integration = selectors.integration_for(user=request.user, pk=pk)
    revision = reads.revision_for(integration=integration, number=number)
    if request.method == "GET":
        return _review_page(request, integration, revision)
    form = MetadataReviewForm(request.POST)
    if not form.is_valid():
        return _review_page(request, integration, revision, form=form, status=Invalid.status)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        svc.metadata_review(
            actor=request.user,
            integration_id=integration.pk,
            number=revision.number,
            approve=approve,
            comment=form.cleaned_data["comment"],
            field_comments=form.field_comments(),
        )
    except ApplicationError as error:
        status = at_fields(form, error)
        return _review_page(request, integration, revision, form=form, status=status)
    if approve:
        messages.success(request, approval_message(integration, revision.number))
    else:
        messages.success(
            request, f"Changes requested on r{revision.number}; the partner was notified."
        )
    return redirect("staff_metadata_review", integration.pk, revision.number)


# --- Stored files --------------------------------------------------------------------------------


@require_safe
def asset(request, filename: str):
    """A stored logo, mark or screenshot. Files of a live catalog entry are public; others only
    for the integration's partner users and staff. SVGs go out as image/svg+xml with nosniff and a
    CSP that forbids everything, so even opened directly nothing in them runs."""
    match = ASSET_NAME.match(filename)
    if not match:
        raise NotFound("No such file.")
    name = f"assets/{filename}"
    live, owners = reads.asset_owner_ids(name=name)
    if not live:
        user = request.user
        # Staff see files that aren't live with the draft permission; without it, as for
        # anyone else, there is no such file.
        staff_may = not user.is_staff or permissions.staff_has(
            user, permissions.VIEW_DRAFT_METADATA
        )
        if not (
            owners
            and user.is_authenticated
            and staff_may
            and selectors.integrations_for(user=user).filter(pk__in=owners).exists()
        ):
            raise NotFound("No such file.")
    etag = f'"{filename}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        try:
            with default_storage.open(name, "rb") as fh:
                content = fh.read()
        except FileNotFoundError:
            raise NotFound("No such file.") from None
        except Exception:  # noqa: BLE001 - the store is down: say so, don't 500
            raise Unavailable("The file store isn't answering; try again shortly.") from None
        response = HttpResponse(content, content_type=ASSET_TYPES[match.group(1)])
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ASSET_CSP
    if live:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
    else:
        response["Cache-Control"] = "private, max-age=300"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["Vary"] = "Cookie"
    return response
