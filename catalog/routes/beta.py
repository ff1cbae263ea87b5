"""URL routes for the beta area."""

urlpatterns: list = []
