"""An email backend for the real-worker tests, selected with ``EMAIL_BACKEND`` (the directory comes
from ``EMAIL_URL=filemail:///<dir>``).

It writes each message as its own ``.eml`` file, atomically, so the test reads back exactly what
was sent. Control files in the same directory let a test steer it without timing:

* ``slow``: while it exists, a send first writes ``sending-<pid>-<outbox id>`` and then waits
  (so the test can SIGKILL the process in the middle of a send);
* ``fail-once``: the first send that finds it removes it and raises, like an SMTP error.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend

SLOW_WAIT_LIMIT = 60


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        folder = Path(self.file_path)
        for message in email_messages:
            outbox_id = message.extra_headers.get("X-Portal-Outbox-Id", "x")
            if (folder / "slow").exists():
                (folder / f"sending-{os.getpid()}-{outbox_id}").touch()
                deadline = time.monotonic() + SLOW_WAIT_LIMIT
                while (folder / "slow").exists() and time.monotonic() < deadline:
                    time.sleep(0.05)
            try:
                (folder / "fail-once").unlink()
            except FileNotFoundError:
                pass
            else:
                raise ConnectionRefusedError("SMTP server said no (test: fail-once)")
            name = f"{outbox_id}-{uuid.uuid4().hex}"
            tmp = folder / f".{name}.tmp"
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(folder / f"{name}.eml")
        return len(email_messages)
