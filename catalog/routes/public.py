"""URL routes for the public area: the catalog pages and the read-only JSON API."""

from django.urls import path

from catalog.views import api, public

urlpatterns = [
    path("catalog/", public.catalog_index, name="catalog_index"),
    path("catalog/new/", public.catalog_new, name="catalog_new"),
    path("catalog/<slug:slug>/", public.catalog_detail, name="catalog_detail"),
    path("api/v1/catalog/", api.api_catalog, name="api_catalog"),
    path("api/v1/catalog/<slug:slug>/", api.api_catalog_detail, name="api_catalog_detail"),
]
