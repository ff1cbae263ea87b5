"""Asset work (screenshot thumbnails, previews) run as tasks."""
