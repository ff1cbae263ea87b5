"""URL routes for the outbox area."""

from django.urls import path

from catalog.views import outbox, storage

urlpatterns = [
    path("staff/outbox/", outbox.staff_outbox, name="staff_outbox"),
    path("staff/outbox/<int:pk>/retry/", outbox.staff_outbox_retry, name="staff_outbox_retry"),
    path("staff/storage/", storage.staff_storage, name="staff_storage"),
    path("partner/notifications/", outbox.email_preferences, name="partner_notifications"),
]
