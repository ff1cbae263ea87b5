from django.shortcuts import redirect


def home(request):
    """Send each person to where their work is."""
    user = request.user
    if user.is_authenticated and user.is_staff:
        return redirect("staff_inbox")
    if user.is_authenticated and user.is_partner:
        return redirect("partner_dashboard")
    return redirect("catalog_index")
