"""The WSGI module gunicorn loads: views imported and start-up objects frozen out of the garbage
collector's sight (``portal/wsgi.py``: full collections had walked them, 79 ms a pause)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_loading_the_wsgi_module_freezes_what_start_up_made():
    program = (
        "import gc, sys\n"
        "import portal.wsgi\n"
        "assert 'catalog.views.beta' in sys.modules, 'views not imported'\n"
        "print(gc.get_freeze_count())\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.split()[-1]) > 10_000
