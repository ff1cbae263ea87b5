"""URL routes for the accounts area."""

urlpatterns: list = []
