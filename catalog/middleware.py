"""Request middleware of the catalog app."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone


def platform_time_zone(get_response):
    """Pages show times in the platform's time zone (``PLATFORM_TIME_ZONE``), the zone the
    release train counts in, so a time on the history, a spec page and a deploy cutoff agree.
    Stored times stay UTC (``TIME_ZONE``); only what a template or form displays changes."""

    def middleware(request):
        try:
            zone = ZoneInfo(settings.PLATFORM_TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None  # a misconfigured zone leaves pages in UTC rather than failing
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return get_response(request)
        finally:
            timezone.deactivate()

    return middleware
