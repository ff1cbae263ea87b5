"""Admin for the core area."""
