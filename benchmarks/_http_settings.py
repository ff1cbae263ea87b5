"""Settings for ``benchmarks.http`` only: the product's settings plus a bare view to compare with.

Selected with ``DJANGO_SETTINGS_MODULE=benchmarks._http_settings``; nothing of this reaches the
product's URLs.
"""

import os

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks._http_urls"
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
