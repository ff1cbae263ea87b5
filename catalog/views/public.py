"""Public catalog pages: anyone may read them; they never show partner data or support emails."""

from django.shortcuts import render

from catalog.models import Integration, Stage


def catalog_index(request):
    integrations = Integration.objects.filter(stage=Stage.PUBLIC).order_by("name")[:60]
    return render(request, "catalog/public/index.html", {"integrations": integrations})
