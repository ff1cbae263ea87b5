"""What the navigation shows on every page: for staff, the counts of reviews waiting and failed
emails (read only when a page's navigation uses them)."""

from django.utils.functional import SimpleLazyObject


def staff_nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    from catalog.selectors.ball import nav_counts

    return {"staff_nav": SimpleLazyObject(nav_counts)}
