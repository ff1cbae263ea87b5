"""URL routes for the metadata area: the catalog-entry form and preview, staff review, assets."""

from django.urls import path

from catalog.views import metadata

P = "partner/integrations/<int:pk>/"

urlpatterns = [
    path(f"{P}metadata/", metadata.partner_metadata, name="partner_metadata"),
    path(
        f"{P}metadata/preview/", metadata.partner_metadata_preview, name="partner_metadata_preview"
    ),
    path("staff/reviews/metadata/", metadata.staff_metadata_queue, name="staff_metadata_queue"),
    path("staff/integrations/<int:pk>/metadata/", metadata.staff_metadata, name="staff_metadata"),
    path(
        "staff/integrations/<int:pk>/metadata/r<int:number>/",
        metadata.staff_metadata_review,
        name="staff_metadata_review",
    ),
    path("assets/<str:filename>", metadata.asset, name="asset"),
]
