"""Admin for the spec area."""
