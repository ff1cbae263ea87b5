"""
WSGI config for portal project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# Load every view module now, then move what is loaded out of the garbage collector's sight: the
# modules, models and URL patterns live as long as the process, yet a full collection walked
# them all, a 79 ms pause per full collection in a worker (about one per 3,000 beta opens), which
# made the slowest 1 % of requests under load 5× slower than the rest. After ``gc.freeze()`` the
# worst pause measured 8-16 ms (``python -m benchmarks.http``: p99 in the table of its docstring).
get_resolver().url_patterns  # noqa: B018 - imports the views
gc.freeze()
