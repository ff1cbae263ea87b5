"""Valid and hostile assets built in code, for the metadata tests."""

import io
import struct
import zlib

from PIL import Image

NS = 'xmlns="http://www.w3.org/2000/svg"'

# A horizontal lockup: symbol and name bars, wider than tall.
LOGO_SVG = (
    f'<svg {NS} viewBox="0 0 300 100"><title>Acme</title>'
    '<circle cx="50" cy="50" r="40" fill="#3b3bd6"/>'
    '<path d="M110 35h170v30H110z" fill="#1a1a2e"/></svg>'
).encode()
# A square symbol.
MARK_SVG = f'<svg {NS} viewBox="0 0 24 24"><circle cx="12" cy="12" r="11"/></svg>'.encode()
OTHER_LOGO_SVG = (
    f'<svg {NS} viewBox="0 0 400 100"><rect x="10" y="20" width="380" height="60"/></svg>'
).encode()
SCRIPT_SVG = (
    f'<svg {NS} viewBox="0 0 24 24"><script>alert(1)</script><circle r="5"/></svg>'
).encode()
TALL_LOGO_SVG = f'<svg {NS} viewBox="0 0 100 300"><rect width="100" height="300"/></svg>'.encode()


def png(width: int = 800, height: int = 500, color=(40, 90, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG", **save)
    return out.getvalue()


def jpeg(width: int = 800, height: int = 500, *, exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    params = {"exif": exif} if exif else {}
    Image.new("RGB", (width, height), (200, 60, 30)).save(out, "JPEG", quality=80, **params)
    return out.getvalue()


def gps_exif(orientation: int = 1) -> bytes:
    """EXIF with a GPS position (Paris) and an orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SpyCam"  # Make
    gps = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    exif[0x8825] = gps
    return exif.tobytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int, idat: bytes = b"") -> bytes:
    """A PNG whose header declares ``width``×``height`` (a bomb when large)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", idat or zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )


def png_bomb(megapixels: int = 100) -> bytes:
    """A real, small PNG that decodes to ``megapixels`` million pixels of black."""
    side = int((megapixels * 1_000_000) ** 0.5)
    row = b"\x00" + b"\x00" * side
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return png_header_only(side, side, idat)


def png_with_text_chunks() -> bytes:
    """A valid PNG carrying tEXt, zTXt, iTXt and eXIf chunks before IEND."""
    base = png(64, 64)
    iend = base.rindex(b"IEND") - 4
    extra = (
        _chunk(b"tEXt", b"Author\x00Jane Secret")
        + _chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"home address"))
        + _chunk(b"iTXt", b"Location\x00\x00\x00\x00\x00" + b"48.8566,2.3522")
        + _chunk(b"eXIf", gps_exif())
    )
    return base[:iend] + extra + base[iend:]
