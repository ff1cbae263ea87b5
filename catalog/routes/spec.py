"""URL routes for the spec area."""

urlpatterns: list = []
