from django.apps import AppConfig


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = "Partner catalog"

    def ready(self) -> None:
        from catalog import cache, search

        cache.connect()
        search.connect()
