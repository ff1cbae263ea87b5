"""URL routes for the public area."""

urlpatterns: list = []
