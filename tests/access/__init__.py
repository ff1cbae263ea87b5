"""The access-control table: every page × person → expected status.

Each area adds a module here with ``ROWS`` (a list of ``Row``) and, if its pages need objects,
a ``setup(world)`` function that adds them to the shared ``World``. ``tests/test_access.py``
collects every module, so a new page adds a row in its area's module.

Persons: ``anonymous``, ``partner`` (owner of ``world.integration``'s partner), ``member`` (a
non-owner user of the same partner), ``other_partner`` (a user of another partner), ``staff``
(staff with the portal's permissions), ``plain_staff`` (``is_staff`` without permissions),
``viewer_staff`` (staff who may view integrations and nothing else: not beta invites, not drafts),
``removed`` (a member the owner removed from the team), ``invited`` (an account with an invitation
to the partner not yet accepted), ``staff_no_2fa`` (staff with the permissions who has not passed
the second factor in this session), ``admin`` (a superuser, every permission).
Expected values are status codes; ``LOGIN`` means a redirect to the login page, ``SECOND_FACTOR``
a redirect to the second-factor pages. A person left out of ``expect`` is not tested for that row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

LOGIN = "login"
SECOND_FACTOR = "second_factor"


class World(SimpleNamespace):
    """Objects the rows' URLs and data refer to, built once per test."""


@dataclass(frozen=True)
class Row:
    name: str
    url: Callable[[World], str]
    expect: dict[str, int | str]
    method: str = "get"
    data: Callable[[World], dict] | None = None
    # Extra persons' expectations can be given with the same keys as above.
    notes: str = field(default="", compare=False)


def anyone(status: int) -> dict[str, int]:
    return {p: status for p in ("anonymous", "partner", "member", "other_partner", "staff")}


def partner_page(own: int = 200, staff: int = 200) -> dict[str, int | str]:
    """A page of one partner's integration: the owner's team sees it, others get 404."""
    return {
        "anonymous": LOGIN,
        "partner": own,
        "member": own,
        "other_partner": 404,
        "staff": staff,
        "removed": 403,
        "invited": 403,
        "staff_no_2fa": SECOND_FACTOR,
    }


def staff_page(ok: int = 200) -> dict[str, int | str]:
    return {
        "anonymous": LOGIN,
        "partner": 403,
        "member": 403,
        "other_partner": 403,
        "plain_staff": 403,
        "staff": ok,
        "removed": 403,
        "invited": 403,
        "staff_no_2fa": SECOND_FACTOR,
    }
