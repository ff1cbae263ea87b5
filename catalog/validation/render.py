"""Draw an SVG (already through every structural check) and measure what it draws.

resvg runs in a separate, long-lived child process (``_render_worker.py``) with a memory limit,
because a hostile drawing can ask resvg for tens of gigabytes (a pattern scaled by 100000) or
minutes of work: in-process that would abort or stall the web worker. Here it only costs the child,
which is restarted on the next call. One child per process, one drawing at a time.
"""

import atexit
import json
import os
import select
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

WORKER = Path(__file__).with_name("_render_worker.py")
TIMEOUT_SECONDS = 8.0


class RenderError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Drawing:
    """Pixel size of the rendered canvas and the box of drawn (non-transparent) pixels."""

    size: tuple[int, int]
    bbox: tuple[int, int, int, int] | None


class _Worker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._owner = 0

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None and self._owner == os.getpid()

    def _start(self) -> subprocess.Popen:
        if not self._alive():
            self._proc = subprocess.Popen(
                [sys.executable, "-I", str(WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                close_fds=True,
            )
            self._owner = os.getpid()
        return self._proc

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and self._owner == os.getpid() and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)

    def draw(self, svg: bytes, *, size: int, fonts: bool, timeout: float) -> Drawing:
        with self._lock:
            proc = self._start()
            try:
                proc.stdin.write(struct.pack("!IHB", len(svg), size, int(fonts)) + svg)
                proc.stdin.flush()
            except (BrokenPipeError, OSError):
                self.stop()
                raise RenderError(
                    "svg.render_failed", "The drawing check could not run; try again."
                ) from None
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            if not ready:
                self.stop()
                raise RenderError(
                    "svg.too_slow",
                    f"This SVG takes longer than {timeout:g} seconds to draw. Simplify it "
                    "(fewer filters, patterns and effects) and export it again.",
                )
            line = proc.stdout.readline()
            if not line:
                self.stop()
                raise RenderError(
                    "svg.render_failed",
                    "This SVG can't be drawn safely: drawing it needs too much memory. Remove "
                    "huge pattern scales, filters or embedded images and export it again.",
                )
        result = json.loads(line)
        if not result.get("ok"):
            raise RenderError(
                "svg.render_failed",
                "This SVG could not be drawn: " + str(result.get("error", "unknown error")),
            )
        bbox = result.get("bbox")
        return Drawing(size=tuple(result["size"]), bbox=tuple(bbox) if bbox else None)


_worker = _Worker()
atexit.register(_worker.stop)


def draw(
    svg: bytes, *, size: int = 128, fonts: bool = False, timeout: float = TIMEOUT_SECONDS
) -> Drawing:
    """Render ``svg`` to fit a ``size``×``size`` box and return what it draws."""
    return _worker.draw(svg, size=size, fonts=fonts, timeout=timeout)


def stop_worker() -> None:
    _worker.stop()
