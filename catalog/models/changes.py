"""A signal for writes that Django's own signals miss.

``QuerySet.update()``, ``bulk_update()`` and ``bulk_create()`` send no ``post_save``; models whose
rows a cached page shows use ``ChangeSignallingQuerySet``, so every such write, today's and
tomorrow's, sends ``rows_changed`` (with the names of the fields written, ``None`` when whole rows
were added). ``catalog.cache`` listens to it and to ``post_save``/``post_delete``.
"""

from django.db import models
from django.dispatch import Signal

rows_changed = Signal()


class ChangeSignallingQuerySet(models.QuerySet):
    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            rows_changed.send(sender=self.model, fields=frozenset(kwargs))
        return rows

    update.alters_data = True

    # ``bulk_update`` writes through ``update`` above.

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            rows_changed.send(sender=self.model, fields=None)
        return created

    bulk_create.alters_data = True
