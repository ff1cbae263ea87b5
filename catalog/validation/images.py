"""Screenshots: PNG or JPEG, identified from their bytes, checked before they are decoded.

Order matters: bytes, then the format and the pixel count from the header (Pillow reads only the
header in ``Image.open``), and only then a full decode, with Pillow's decompression-bomb warning
treated as an error. What is stored is a fresh encoding of the pixels with the orientation applied:
no EXIF (so no GPS), no text chunks, no comments, no trailing bytes.
"""

import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.validation import Problem, Report

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
MAX_SIDE = 10_000
MIN_SIDE = 16
SMALL_WIDTH = 640
THUMBNAIL_BOX = (800, 600)

FORMATS = {
    "PNG": {"extension": "png", "content_type": "image/png"},
    "JPEG": {"extension": "jpg", "content_type": "image/jpeg"},
}

# Magic numbers of what partners upload by mistake, so the message can say what the file is.
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "Photoshop (PSD)"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PK\x03\x04", "ZIP"),
]


class ImageRefused(Exception):
    def __init__(self, report: Report):
        super().__init__("; ".join(p.message for p in report.errors))
        self.report = report


@dataclass(frozen=True)
class EncodedImage:
    content: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format]["extension"]

    @property
    def content_type(self) -> str:
        return FORMATS[self.format]["content_type"]


def sniff(data: bytes) -> str | None:
    """Name the format of ``data`` from its first bytes (None when unknown)."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "HEIC/AVIF"
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    stripped = data[:512].lstrip().lower()
    if stripped.startswith((b"<svg", b"<?xml")) or b"<svg" in stripped:
        return "SVG"
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "HTML"
    return None


def size_problem(size: int) -> Problem | None:
    """The byte limit alone (the form checks it before reading an upload)."""
    if size > MAX_BYTES:
        return Problem(
            "image.too_large",
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Export a smaller PNG or JPEG.",
        )
    return None


def _open_header(data: bytes, report: Report, *, formats: tuple[str, ...], max_pixels: int):
    """Open without decoding and check format, dimensions and pixel count. None when refused."""
    wanted = " or ".join(formats)
    if not data:
        report.error("image.empty", "The file is empty. Choose the image again.")
        return None
    too_large = size_problem(len(data))
    if too_large:
        report.errors.append(too_large)
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(formats))
    except Image.DecompressionBombError:
        report.error(
            "image.bomb",
            "The image declares far more pixels than it could reasonably hold (a "
            "decompression bomb). Export it again at screen size.",
        )
        return None
    except Image.DecompressionBombWarning:
        report.error(
            "image.bomb",
            "The image declares too many pixels (a possible decompression bomb). Export it "
            "again at screen size.",
        )
        return None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error):
        found = sniff(data)
        if found in formats:
            report.error(
                "image.malformed",
                f"This {found} file is damaged and can't be read. Export it again.",
            )
        elif found:
            report.error(
                "image.format",
                f"This is a {found} file; screenshots must be {wanted}. Save it as {wanted}.",
            )
        else:
            report.error(
                "image.format",
                f"This isn't a {wanted} image (whatever its name says). Save it as {wanted}.",
            )
        return None
    width, height = image.size
    report.info.update(format=image.format, width=width, height=height)
    if width < 1 or height < 1:
        report.error("image.malformed", "The image has no pixels. Export it again.")
        return None
    if width * height > max_pixels or width > MAX_SIDE or height > MAX_SIDE:
        report.error(
            "image.too_many_pixels",
            f"The image is {width}×{height} pixels ({width * height / 1e6:.1f} megapixels); "
            f"the limit is {max_pixels / 1e6:g} megapixels and {MAX_SIDE} pixels a side. "
            "Resize it to screen size.",
        )
        image.close()
        return None
    return image


def _decode(image, report: Report):
    """Decode the pixels (the header already passed) and apply the EXIF orientation."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            if getattr(image, "n_frames", 1) > 1:
                report.error(
                    "image.animated",
                    "Animated images aren't shown in the catalog. Upload a still screenshot.",
                )
                return None
            oriented = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        report.error("image.bomb", "The image decodes to too many pixels. Export it again.")
        return None
    except OSError as exc:
        if "truncated" in str(exc):
            report.error(
                "image.truncated",
                "The file is cut short (truncated): the upload or export did not finish. "
                "Export it again.",
            )
        else:
            report.error("image.malformed", "The image data is damaged. Export it again.")
        return None
    except (ValueError, SyntaxError, struct.error, EOFError, IndexError, TypeError):
        report.error(
            "image.malformed",
            "The image holds damaged or oversized data (for example an enormous text chunk). "
            "Export it again.",
        )
        return None
    width, height = oriented.size
    report.info.update(width=width, height=height)
    return oriented


def validate_image(data: bytes) -> Report:
    """Every check on a screenshot, including a full decode. Nothing is stored."""
    report = Report()
    image = _open_header(data, report, formats=tuple(FORMATS), max_pixels=MAX_PIXELS)
    if image is None:
        return report
    with image:
        decoded = _decode(image, report)
    if decoded is None:
        return report
    width, height = decoded.size
    if width < MIN_SIDE or height < MIN_SIDE:
        report.error(
            "image.too_small",
            f"The image is only {width}×{height} pixels. Upload a real screenshot.",
        )
    elif width < SMALL_WIDTH:
        report.warn(
            "image.small",
            f"The image is {width} pixels wide; at least {SMALL_WIDTH} looks sharp in the catalog.",
        )
    return report


def _clean_pixels(image: Image.Image, fmt: str) -> Image.Image:
    """A copy of the pixels in a mode the format stores, with no metadata attached."""
    icc = image.info.get("icc_profile")
    if fmt == "JPEG":
        target = "L" if image.mode in ("1", "L") else "RGB"
    elif image.mode in ("1", "L", "LA", "RGB", "RGBA"):
        target = image.mode
    elif image.mode == "P" or "transparency" in image.info:
        target = "RGBA"
    else:
        target = "RGBA" if "A" in image.getbands() else "RGB"
    if icc and target in ("RGB", "RGBA"):
        image = _to_srgb(image, icc, target)
    clean = image.convert(target) if image.mode != target else image.copy()
    clean.info = {}
    return clean


def _to_srgb(image: Image.Image, icc: bytes, mode: str) -> Image.Image:
    """Colour-managed screenshots (Display P3…) are converted, so dropping the profile is safe."""
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        work = image if image.mode in ("RGB", "RGBA") else image.convert(mode)
        return ImageCms.profileToProfile(
            work, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except Exception:  # noqa: BLE001 - a broken profile is dropped, the pixels stay as they are
        return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    else:
        image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def sanitize_image(data: bytes) -> EncodedImage:
    """Validate and re-encode a screenshot for storage. Raises ``ImageRefused`` on errors."""
    report = Report()
    image = _open_header(data, report, formats=tuple(FORMATS), max_pixels=MAX_PIXELS)
    if image is None:
        raise ImageRefused(report)
    with image:
        fmt = image.format
        decoded = _decode(image, report)
        if decoded is None:
            raise ImageRefused(report)
        clean = _clean_pixels(decoded, fmt)
    return EncodedImage(_encode(clean, fmt), fmt, clean.width, clean.height)


def thumbnail(data: bytes, box: tuple[int, int] = THUMBNAIL_BOX) -> EncodedImage:
    """A smaller copy of a stored (already clean) screenshot, fitting ``box``."""
    report = Report()
    image = _open_header(data, report, formats=tuple(FORMATS), max_pixels=MAX_PIXELS)
    if image is None:
        raise ImageRefused(report)
    with image:
        fmt = image.format
        decoded = _decode(image, report)
        if decoded is None:
            raise ImageRefused(report)
        clean = _clean_pixels(decoded, fmt)
    clean.thumbnail(box, Image.Resampling.LANCZOS)
    return EncodedImage(_encode(clean, fmt), fmt, clean.width, clean.height)


def has_metadata(data: bytes) -> bool:
    """True when a stored image still carries EXIF, text chunks or comments."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            info_keys = set(image.info) - {
                "dpi",
                "gamma",
                "jfif",
                "jfif_version",
                "jfif_unit",
                "jfif_density",
                "progressive",
                "progression",
                "adobe",
                "adobe_transform",
                "srgb",
                "aspect",
            }
            return bool(image.getexif()) or bool(info_keys)
    except Exception:  # noqa: BLE001 - unreadable means "not known clean"
        return True


def inspect_embedded(data: bytes, *, max_pixels: int) -> Report:
    """Header-only check of a raster embedded in an SVG (PNG, JPEG, GIF or WebP)."""
    report = Report()
    image = _open_header(
        data, report, formats=("PNG", "JPEG", "GIF", "WEBP"), max_pixels=max_pixels
    )
    if image is not None:
        image.close()
    return report
