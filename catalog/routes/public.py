"""URL routes for the public area."""

from django.urls import path

from catalog.views import public

urlpatterns = [
    path("catalog/", public.catalog_index, name="catalog_index"),
]
