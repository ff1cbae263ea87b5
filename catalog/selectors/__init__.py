"""Reads, scoped to who asks, one module per area; keyword-only, and importing no service.

The integration reads every area uses are re-exported here (``selectors.integration_for``)."""

from catalog.selectors.integrations import (
    integration_for,
    integration_history,
    integrations_for,
    partner_integrations,
    pipeline,
    retired_integrations,
)

__all__ = [
    "integration_for",
    "integration_history",
    "integrations_for",
    "partner_integrations",
    "pipeline",
    "retired_integrations",
]
