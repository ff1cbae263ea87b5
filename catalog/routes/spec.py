"""URL routes for the spec area: spec, pull requests, docs skeleton, change requests, reviews."""

from django.urls import path

from catalog.views import change_requests, docs, pull_requests, spec_editor, spec_review

P = "partner/integrations/<int:pk>/"

urlpatterns = [
    path(f"{P}spec/", spec_editor.partner_spec, name="partner_spec"),
    path(f"{P}spec/upload/", spec_editor.partner_spec_upload, name="partner_spec_upload"),
    path(f"{P}spec/export/", spec_editor.partner_spec_export, name="partner_spec_export"),
    path(
        f"{P}spec/r<int:number>/", spec_editor.partner_spec_revision, name="partner_spec_revision"
    ),
    path(
        f"{P}spec/r<int:number>/submit/",
        spec_editor.partner_spec_submit,
        name="partner_spec_submit",
    ),
    path(f"{P}pull-requests/", pull_requests.partner_pull_requests, name="partner_pull_requests"),
    path(
        f"{P}pull-requests/<int:pr_id>/",
        pull_requests.partner_pull_request_edit,
        name="partner_pull_request_edit",
    ),
    path(f"{P}docs/", docs.partner_docs, name="partner_docs"),
    path(f"{P}docs/index.md", docs.partner_docs_download, name="partner_docs_download"),
    path(f"{P}changes/", change_requests.partner_change_requests, name="partner_change_requests"),
    path(
        f"{P}changes/<int:cr_id>/",
        change_requests.partner_change_request,
        name="partner_change_request",
    ),
    path("staff/reviews/spec/", spec_review.staff_spec_queue, name="staff_spec_queue"),
    path(
        "staff/integrations/<int:pk>/spec/r<int:number>/",
        spec_review.staff_spec_review,
        name="staff_spec_review",
    ),
    path(
        "staff/integrations/<int:pk>/pull-requests/",
        pull_requests.staff_pull_requests,
        name="staff_pull_requests",
    ),
    path(
        "staff/pull-requests/<int:pr_id>/state/",
        pull_requests.staff_pull_request_state,
        name="staff_pull_request_state",
    ),
    path(
        "staff/pull-requests/<int:pr_id>/deploy/",
        pull_requests.staff_pull_request_deploy,
        name="staff_pull_request_deploy",
    ),
    path(
        "staff/change-requests/<int:cr_id>/",
        change_requests.staff_change_request,
        name="staff_change_request",
    ),
]
