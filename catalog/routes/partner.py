"""URL routes for the partner area."""

urlpatterns: list = []
