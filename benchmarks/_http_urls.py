"""The product's URLs plus ``/__bench__/bare/``, a view that does nothing, as the baseline."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/bare/", bare),
    path("", include("portal.urls")),
]
