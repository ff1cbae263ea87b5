"""Celery tasks (autodiscovered as ``catalog.tasks``), one module per area."""

from .accounts import *  # noqa: F403
from .assets import *  # noqa: F403
from .beta import *  # noqa: F403
from .outbox import *  # noqa: F403
from .process import *  # noqa: F403
from .storage import *  # noqa: F403
