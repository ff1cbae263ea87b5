"""Admin for the outbox area."""
