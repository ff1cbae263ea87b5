"""URL routes for the outbox area."""

urlpatterns: list = []
