"""A Redis connection that sends a command and returns without waiting for its reply.

Counting a beta open in Redis (``services.beta_opens.beta_link_record_open``) used to wait for
Redis's answer, and under load that wait was 46 % of an open's time in a web worker (py-spy on
``python -m benchmarks.http --postgres --redis``; the measured gain is in the benchmark's
docstring). Here the command is handed to the kernel and the request goes on; the reply is read
later, when the next command finds it waiting, or with a wait once ``MAX_UNREAD`` replies are
outstanding (and by ``wait_for_replies``).

Nothing is lost or counted twice by leaving early:
- Redis runs one connection's commands in the order sent, and bytes the kernel accepted are
  delivered even if the process exits or is killed right after (a worker restart loses nothing).
- An error reply (a script Redis no longer knows, a read-only replica, no memory) hands that
  command back to the caller, which records it another way.
- A command that cannot be sent is handed back at once, and so is every command for the next
  ``RETRY_SECONDS``; a connection Redis closed (a restart) is noticed before sending into it.
  A connection that breaks while replies are unread leaves those commands' outcome unknown, as
  a timeout after sending does for any client: they were sent, so they are taken as done, and
  the loss is logged. (Redis restarting without persistence loses its
  unfolded opens anyway; with it, at most the commands in flight at that moment.)

One connection per process (a forked child opens its own), guarded by a lock for threaded workers.
"""

import collections
import logging
import os
import threading
import time

import redis

logger = logging.getLogger(__name__)

MAX_UNREAD = 200
# After a failure, commands are handed back at once for this long instead of trying Redis again:
# with Redis unreachable (a dropped route, not a refused port) each try would wait out the 2 s
# connect timeout inside a request.
RETRY_SECONDS = 5.0


class Sender:
    def __init__(self, url: str, *, script: str):
        self._pool = redis.ConnectionPool.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = script
        self._sha = None
        self._connection = None
        self._pid = None
        self._unread: collections.deque = collections.deque()
        self._lock = threading.Lock()
        self._retry_at = 0.0

    def run_script(self, keys: list, args: list, *, tag) -> list:
        """Send the script with ``keys`` and ``args``; return the tags of commands Redis refused
        or that could not be sent (this one's ``tag`` included), for the caller to record
        another way."""
        with self._lock:
            refused = self._read(wait=len(self._unread) >= MAX_UNREAD)
            self._drop_if_closed()
            if time.monotonic() < self._retry_at:
                return [*refused, tag]
            try:
                if self._sha is None or self._pid != os.getpid():
                    refused += self._read(wait=True, all_of_them=True)
                    self._load_script()
                self._connection.send_command("EVALSHA", self._sha, len(keys), *keys, *args)
            except redis.RedisError:
                logger.warning(
                    "Redis took no command; handed back, and so for %g s",
                    RETRY_SECONDS,
                    exc_info=True,
                )
                self._forget()
                self._retry_at = time.monotonic() + RETRY_SECONDS
                return [*refused, tag]
            self._unread.append(tag)
            return refused

    def wait_for_replies(self) -> list:
        """Read every outstanding reply (what this process sent has then been run); returns the
        tags Redis refused."""
        with self._lock:
            return self._read(wait=True, all_of_them=True)

    def _load_script(self) -> None:
        """On this process's connection (opened here after a fork or a loss), with no reply
        outstanding."""
        if self._connection is None or self._pid != os.getpid():
            self._unread.clear()  # a forked child's copy of its parent's queue is not its own
            self._connection = self._pool.make_connection()
            self._pid = os.getpid()
        self._connection.send_command("SCRIPT", "LOAD", self._script)
        self._sha = self._connection.read_response().decode()

    def _drop_if_closed(self) -> None:
        """With no reply due, a readable connection is one Redis closed (a restart): drop it
        rather than send into it."""
        if self._connection is None or self._unread or self._pid != os.getpid():
            return
        try:
            closed = self._connection.can_read(timeout=0)
        except redis.RedisError:
            closed = True
        if closed:
            self._forget()

    def _forget(self) -> None:
        if self._connection is not None:
            self._connection.disconnect()
        self._connection = None
        self._sha = None
        if self._unread:
            logger.warning(
                "Redis connection lost with %d replies unread; those commands were sent and "
                "are taken as done",
                len(self._unread),
            )
        self._unread.clear()

    def _read(self, *, wait: bool, all_of_them: bool = False) -> list:
        refused = []
        if self._connection is None or self._pid != os.getpid():
            return refused
        try:
            while self._unread and (wait or self._connection.can_read(timeout=0)):
                try:
                    self._connection.read_response()
                except redis.ResponseError as error:
                    logger.warning("Redis refused a command; handed back: %s", error)
                    refused.append(self._unread[0])
                    if isinstance(error, redis.exceptions.NoScriptError):  # flushed: load again
                        self._sha = None
                self._unread.popleft()
                wait = all_of_them
        except redis.RedisError:
            self._forget()
        return refused
