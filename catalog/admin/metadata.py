"""Admin for the metadata area."""
