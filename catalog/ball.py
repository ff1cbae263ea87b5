"""Who has the ball: which side an integration that is not public waits on.

A small, pure reading of facts the caller already has (the stage, the gate checklist and whether
something waits for a staff decision), so a list costs no query per row:

- ``staff`` when a spec, metadata revision or pull request waits for a staff decision, or when
  every gate item of the next step holds (a promotion is waiting);
- ``customer`` in private beta until a customer verified the integration;
- ``partner`` otherwise (a gate item is missing, or changes were requested);
- ``None`` once public.

The release train and waiting-since are not modelled here; the "who has the ball" work replaces
this module with the full rule.
"""

from collections.abc import Sequence

from catalog.models import Stage

STAFF = "staff"
PARTNER = "partner"
CUSTOMER = "customer"


def waiting_on(*, stage: str, items: Sequence, in_review: bool) -> str | None:
    if stage == Stage.PUBLIC:
        return None
    if in_review:
        return STAFF
    if items and all(item.passed for item in items):
        return STAFF
    if stage == Stage.PRIVATE_BETA:
        return CUSTOMER
    return PARTNER
