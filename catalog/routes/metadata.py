"""URL routes for the metadata area."""

urlpatterns: list = []
