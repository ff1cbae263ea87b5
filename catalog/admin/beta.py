"""Admin for the beta area."""
