"""The staff storage page: what the storage audit found (the outbox page's neighbour)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog import permissions
from catalog.models import StorageProblem
from catalog.selectors import storage as storage_selectors
from catalog.views.access import staff_page

PAGE_SIZE = 100


@staff_page(permissions.VIEW_STORAGE)
@require_GET
def staff_storage(request):
    missing = Paginator(
        storage_selectors.open_problems(kind=StorageProblem.Kind.MISSING), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    orphans = storage_selectors.open_problems(kind=StorageProblem.Kind.ORPHAN)
    return render(
        request,
        "catalog/outbox/staff_storage.html",
        {
            "missing": missing,
            "in_use_count": storage_selectors.open_problems(kind=StorageProblem.Kind.MISSING)
            .filter(in_use=True)
            .count(),
            "orphan_count": orphans.count(),
            "orphans": orphans[:20],
            "runs": storage_selectors.last_runs(),
            "last_full": storage_selectors.last_full_run(),
        },
    )
