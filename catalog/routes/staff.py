"""URL routes for the staff area."""

urlpatterns: list = []
