"""Counting beta opens: one UPDATE each, or, with ``BETA_OPENS_REDIS_URL``, sent to Redis without
waiting (``catalog.redis_sender``) and added to the links by beat (``beta_opens_fold``)."""

import functools
import uuid
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from catalog.models import BetaLink, BetaOpenFold
from catalog.redis_sender import Sender


def beta_link_record_open(*, link: BetaLink) -> None:
    """Count an open: in Redis when ``BETA_OPENS_REDIS_URL`` is set (``beta_opens_fold`` adds it
    to the link later), else, or when Redis fails, in one UPDATE, so simultaneous opens are all
    counted."""
    now = timezone.now()
    if settings.BETA_OPENS_REDIS_URL:
        # Sent without waiting for Redis's reply (``catalog.redis_sender``); opens Redis refused
        # or that could not be sent come back, this one included, and are counted here.
        _, sender = _redis(settings.BETA_OPENS_REDIS_URL)
        open_ = (link.pk, _micros(now))
        for link_id, micros in sender.run_script([OPENS_KEY], list(open_), tag=open_):
            moment = _moment(micros)
            _add_opens(link_id, 1, first=moment, last=moment)
        return
    BetaLink.objects.filter(pk=link.pk).update(
        open_count=F("open_count") + 1,
        first_opened_at=Coalesce("first_opened_at", Value(now)),
        last_opened_at=Value(now),
    )


def _add_opens(link_id: int, count: int, *, first, last) -> None:
    """``count`` opens between ``first`` and ``last`` (a fold may bring them after later ones)."""
    BetaLink.objects.filter(pk=link_id).update(
        open_count=F("open_count") + count,
        first_opened_at=Least(Coalesce("first_opened_at", Value(first)), Value(first)),
        last_opened_at=Greatest(Coalesce("last_opened_at", Value(last)), Value(last)),
    )


# --- Opens counted in Redis ---------------------------------------------------------------------
# Each open adds to one hash, ``<link id>:n`` (count), ``:first`` and ``:last`` (microseconds since
# the epoch). The fold renames the hash (new opens start a new one), names the batch, adds it to
# the links and records the batch in one transaction, then deletes it. A fold that dies before its
# commit leaves the batch to the next fold; one that dies after it leaves a batch the database
# already holds, which the next fold deletes without adding it again.

OPENS_KEY = "beta-opens"
FOLDING_KEY = "beta-opens:folding"
_BATCH = "batch"
_COUNT_OPEN = """
local n, first, last = ARGV[1] .. ':n', ARGV[1] .. ':first', ARGV[1] .. ':last'
local now = tonumber(ARGV[2])
redis.call('HINCRBY', KEYS[1], n, 1)
local seen = redis.call('HGET', KEYS[1], first)
if not seen or tonumber(seen) > now then redis.call('HSET', KEYS[1], first, ARGV[2]) end
seen = redis.call('HGET', KEYS[1], last)
if not seen or tonumber(seen) < now then redis.call('HSET', KEYS[1], last, ARGV[2]) end
"""
FOLDS_KEPT = timedelta(days=7)


@functools.cache
def _redis(url: str) -> tuple[redis.Redis, Sender]:
    """A client for the fold, and the sender of opens (one connection per process)."""
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client, Sender(url, script=_COUNT_OPEN)


def _micros(moment) -> int:
    return int(moment.timestamp() * 1_000_000)


def _moment(micros: bytes | int):
    return datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)


def beta_opens_settle() -> None:
    """Wait until Redis has run every open this process sent; count those it refused here.
    (Other processes' opens in flight join the next fold.)"""
    _, sender = _redis(settings.BETA_OPENS_REDIS_URL)
    for link_id, micros in sender.wait_for_replies():
        _add_opens(link_id, 1, first=_moment(micros), last=_moment(micros))


def beta_opens_fold() -> int:
    """Add the opens counted in Redis to the links; returns how many were added."""
    if not settings.BETA_OPENS_REDIS_URL:
        return 0
    beta_opens_settle()
    client, _ = _redis(settings.BETA_OPENS_REDIS_URL)
    # a batch left by a fold that died goes first; else the opens so far become the batch
    if not client.exists(FOLDING_KEY):
        try:
            client.renamenx(OPENS_KEY, FOLDING_KEY)
        except redis.ResponseError:  # no opens since the last fold
            return 0
    client.hsetnx(FOLDING_KEY, _BATCH, uuid.uuid4().hex)
    fields = {k.decode(): v for k, v in client.hgetall(FOLDING_KEY).items()}
    batch = fields.pop(_BATCH).decode()
    opens: dict[int, dict[str, bytes]] = {}
    for name, value in fields.items():
        link_id, part = name.split(":")
        opens.setdefault(int(link_id), {})[part] = value
    total = sum(int(values["n"]) for values in opens.values())
    with transaction.atomic():
        _, new = BetaOpenFold.objects.get_or_create(batch=batch, defaults={"opens": total})
        if new:
            for link_id, values in sorted(opens.items()):
                _add_opens(
                    link_id,
                    int(values["n"]),
                    first=_moment(values["first"]),
                    last=_moment(values["last"]),
                )
            BetaOpenFold.objects.filter(folded_at__lt=timezone.now() - FOLDS_KEPT).delete()
    client.delete(FOLDING_KEY)
    return total if new else 0
