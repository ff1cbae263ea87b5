"""Admin registrations, one module per area. Admin actions call the same services as the site."""

from . import beta, core, metadata, outbox, second_factor, spec  # noqa: F401
