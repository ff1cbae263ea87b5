"""Rows for the pages every area shares."""

from tests.access import Row, anyone

ROWS = [
    Row("healthz", lambda w: "/healthz", anyone(200)),
    Row("readyz", lambda w: "/readyz", anyone(200)),
]
