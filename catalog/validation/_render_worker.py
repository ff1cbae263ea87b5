"""Child process that draws SVGs with resvg and reports what they draw.

Run by ``catalog.validation.render`` as ``python -I <this file>``; it imports nothing from the
project. A drawing that asks for too much memory hits RLIMIT_AS and kills only this process (resvg
aborts on a failed allocation); one that takes too long is killed by the parent.

Protocol on stdin/stdout, one request at a time:
request  = struct "!IHB" (svg length, canvas size in pixels, load system fonts) + svg bytes
response = one JSON line: {"ok": true, "bbox": [x0, y0, x1, y1] | null, "size": [w, h]}
           or {"ok": false, "error": "..."}
"""

import io
import json
import resource
import struct
import sys

MEMORY_LIMIT = 1024 * 1024 * 1024
# Pixels whose alpha is below this are anti-aliasing dust, not drawing.
ALPHA_THRESHOLD = 8
_VISIBLE = [255 if a >= ALPHA_THRESHOLD else 0 for a in range(256)]


def _limit_memory() -> None:
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover - platform without RLIMIT_AS
        pass


def _read_exact(stream, n: int) -> bytes | None:
    chunks, remaining = [], n
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _draw(svg: bytes, size: int, fonts: bool) -> dict:
    import resvg_py
    from PIL import Image

    text = svg.decode("utf-8-sig")
    png = resvg_py.svg_to_bytes(
        svg_string=text, width=size, height=size, dpi=96.0, skip_system_fonts=not fonts
    )
    with Image.open(io.BytesIO(bytes(png))) as image:
        image.load()
        alpha = image.getchannel("A") if "A" in image.getbands() else image.convert("L")
        # Every pixel with visible ink, so hairlines count; anti-aliasing adds at most a pixel
        # on each side, which the caller allows for.
        bbox = alpha.point(_VISIBLE).getbbox()
        if bbox is None:
            return {"ok": True, "bbox": None, "size": list(image.size)}
        return {"ok": True, "bbox": list(bbox), "size": list(image.size)}


def main() -> None:
    # Import the heavy parts before the memory limit, so the limit only constrains drawing.
    import resvg_py  # noqa: F401
    from PIL import Image, PngImagePlugin  # noqa: F401

    _limit_memory()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = _read_exact(stdin, 7)
        if header is None:
            return
        length, size, fonts = struct.unpack("!IHB", header)
        svg = _read_exact(stdin, length)
        if svg is None:
            return
        try:
            result = _draw(svg, size, bool(fonts))
        except Exception as exc:  # noqa: BLE001 - any failure to draw is reported, not fatal
            result = {"ok": False, "error": str(exc)[:300]}
        stdout.write(json.dumps(result).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    main()
