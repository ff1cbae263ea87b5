"""URL routes for the public area: the catalog pages, the JSON API (every endpoint on the one
django-ninja API, ``catalog/api/``) and the API's human docs."""

from django.urls import path

from catalog.api import api
from catalog.views import api_docs, public

urlpatterns = [
    path("catalog/", public.catalog_index, name="catalog_index"),
    path("catalog/new/", public.catalog_new, name="catalog_new"),
    path("catalog/<slug:slug>/", public.catalog_detail, name="catalog_detail"),
    path("api/v1/", api.urls),
    path("docs/api/", api_docs.api_docs, name="api_docs"),
]
