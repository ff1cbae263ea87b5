"""Admin registrations; the walking-skeleton work fills this in."""
