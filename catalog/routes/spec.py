"""URL routes for the spec area: spec, pull requests, docs skeleton, change requests, reviews."""

from django.urls import path

from catalog.views import spec

P = "partner/integrations/<int:pk>/"

urlpatterns = [
    path(f"{P}spec/", spec.partner_spec, name="partner_spec"),
    path(f"{P}spec/upload/", spec.partner_spec_upload, name="partner_spec_upload"),
    path(f"{P}spec/export/", spec.partner_spec_export, name="partner_spec_export"),
    path(f"{P}spec/r<int:number>/", spec.partner_spec_revision, name="partner_spec_revision"),
    path(f"{P}spec/r<int:number>/submit/", spec.partner_spec_submit, name="partner_spec_submit"),
    path(f"{P}pull-requests/", spec.partner_pull_requests, name="partner_pull_requests"),
    path(
        f"{P}pull-requests/<int:pr_id>/",
        spec.partner_pull_request_edit,
        name="partner_pull_request_edit",
    ),
    path(f"{P}docs/", spec.partner_docs, name="partner_docs"),
    path(f"{P}docs/index.md", spec.partner_docs_download, name="partner_docs_download"),
    path(f"{P}changes/", spec.partner_change_requests, name="partner_change_requests"),
    path(f"{P}changes/<int:cr_id>/", spec.partner_change_request, name="partner_change_request"),
    path("staff/reviews/spec/", spec.staff_spec_queue, name="staff_spec_queue"),
    path(
        "staff/integrations/<int:pk>/spec/r<int:number>/",
        spec.staff_spec_review,
        name="staff_spec_review",
    ),
    path(
        "staff/integrations/<int:pk>/pull-requests/",
        spec.staff_pull_requests,
        name="staff_pull_requests",
    ),
    path(
        "staff/pull-requests/<int:pr_id>/state/",
        spec.staff_pull_request_state,
        name="staff_pull_request_state",
    ),
    path(
        "staff/change-requests/<int:cr_id>/", spec.staff_change_request, name="staff_change_request"
    ),
]
