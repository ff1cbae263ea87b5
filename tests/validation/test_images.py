"""Screenshots: real format from content, limits before decoding, bombs refused, metadata
stripped and orientation applied in what is stored."""

import io
import zlib

import pytest
from PIL import Image

from catalog.validation import images
from tests.validation import samples


def codes(report) -> list[str]:
    return [p.code for p in report.errors]


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_png_and_jpeg_are_accepted():
    assert images.validate_image(samples.png()).ok
    assert images.validate_image(samples.jpeg()).ok


@pytest.mark.parametrize(
    ("make", "found"),
    [
        (lambda: _encoded("GIF"), "GIF"),
        (lambda: _encoded("WEBP"), "WebP"),
        (lambda: _encoded("BMP"), "BMP"),
        (lambda: _encoded("TIFF"), "TIFF"),
        (lambda: samples.LOGO_SVG, "SVG"),
        (lambda: b"%PDF-1.7\n...", "PDF"),
        (lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
    ],
)
def test_other_formats_are_named_and_refused(make, found):
    report = images.validate_image(make())
    assert codes(report) == ["image.format"]
    assert f"This is a {found} file" in report.errors[0].message


def _encoded(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, fmt)
    return out.getvalue()


def test_unknown_bytes_are_refused():
    report = images.validate_image(b"\x00\x01\x02 definitely not an image")
    assert codes(report) == ["image.format"]


def test_a_png_named_jpeg_is_judged_by_content():
    assert images.validate_image(samples.png()).info["format"] == "PNG"


def test_hundred_megapixel_bomb_is_refused_from_the_header_without_decoding(monkeypatch):
    bomb = samples.png_bomb(100)
    assert len(bomb) < 200_000

    def no_decode(self, *args, **kwargs):
        raise AssertionError("decoded a bomb")

    monkeypatch.setattr(Image.Image, "load", no_decode)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", no_decode)
    report = images.validate_image(bomb)
    # Pillow's own bomb warning (an error here) fires in the header read, before our limit
    assert codes(report) == ["image.bomb"]
    assert "decompression bomb" in report.errors[0].message


def test_over_our_limit_but_under_pillows_is_refused_from_the_header(monkeypatch):
    monkeypatch.setattr(Image.Image, "load", lambda self: (_ for _ in ()).throw(AssertionError))
    report = images.validate_image(samples.png_header_only(6000, 5000))
    assert codes(report) == ["image.too_many_pixels"]
    assert "6000×5000 pixels (30.0 megapixels)" in report.errors[0].message


def test_pillow_bomb_limit_is_an_error_too():
    report = images.validate_image(samples.png_header_only(20_000, 20_000))
    assert codes(report) in (["image.bomb"], ["image.too_many_pixels"])


def test_extreme_side_is_refused():
    assert codes(images.validate_image(samples.png_header_only(50_000, 10))) == [
        "image.too_many_pixels"
    ]


def test_too_many_bytes_is_refused():
    assert codes(images.validate_image(b"\x89PNG" + b"\x00" * (images.MAX_BYTES + 1))) == [
        "image.too_large"
    ]


def test_empty_file_is_refused():
    assert codes(images.validate_image(b"")) == ["image.empty"]


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_truncated_files_are_refused(fmt):
    data = samples.png(400, 300) if fmt == "png" else samples.jpeg(400, 300)
    report = images.validate_image(data[: len(data) // 2])
    assert codes(report) in (["image.truncated"], ["image.malformed"])


def test_tiny_image_is_refused_and_small_one_advised():
    assert codes(images.validate_image(samples.png(8, 8))) == ["image.too_small"]
    report = images.validate_image(samples.png(320, 200))
    assert report.ok and [w.code for w in report.warnings] == ["image.small"]


def test_animated_png_is_refused():
    out = io.BytesIO()
    frames = [Image.new("RGB", (64, 64), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    assert codes(images.validate_image(out.getvalue())) == ["image.animated"]


def test_huge_text_chunk_is_refused():
    base = samples.png(64, 64)
    iend = base.rindex(b"IEND") - 4
    bomb = samples._chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * 50_000_000))
    report = images.validate_image(base[:iend] + bomb + base[iend:])
    assert codes(report) == ["image.malformed"]


def test_stored_jpeg_has_no_exif_no_gps_and_is_upright():
    upload = samples.jpeg(1200, 800, exif=samples.gps_exif(orientation=6))  # rotated 90°
    assert b"SpyCam" in upload
    clean = images.sanitize_image(upload)
    assert (clean.width, clean.height) == (800, 1200)
    assert b"Exif" not in clean.content and b"SpyCam" not in clean.content
    stored = reopen(clean.content)
    assert stored.format == "JPEG" and stored.size == (800, 1200)
    assert not stored.getexif()
    assert not images.has_metadata(clean.content)


def test_stored_png_has_no_text_chunks():
    upload = samples.png_with_text_chunks()
    assert images.has_metadata(upload)
    clean = images.sanitize_image(upload)
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk not in clean.content
    assert b"Jane Secret" not in clean.content
    assert not images.has_metadata(clean.content)


def test_trailing_bytes_after_the_image_are_dropped():
    polyglot = samples.png(64, 64) + b"PK\x03\x04<script>alert(1)</script>"
    clean = images.sanitize_image(polyglot)
    assert clean.content.endswith(b"IEND\xaeB`\x82")


def test_cmyk_jpeg_is_stored_as_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (64, 64), (0, 50, 100, 0)).save(out, "JPEG")
    clean = images.sanitize_image(out.getvalue())
    assert reopen(clean.content).mode == "RGB"


def test_palette_png_with_transparency_keeps_alpha():
    out = io.BytesIO()
    image = Image.new("P", (64, 64), 0)
    image.info["transparency"] = 0
    image.save(out, "PNG", transparency=0)
    clean = images.sanitize_image(out.getvalue())
    assert reopen(clean.content).mode == "RGBA"


def test_sanitize_refuses_what_validation_refuses():
    with pytest.raises(images.ImageRefused) as caught:
        images.sanitize_image(samples.png_bomb(100))
    assert codes(caught.value.report) == ["image.bomb"]


def test_thumbnail_fits_the_catalog_box():
    thumb = images.thumbnail(samples.png(2400, 1500))
    assert (thumb.width, thumb.height) == (800, 500)
    assert thumb.format == "PNG"
    small = images.thumbnail(samples.jpeg(300, 200))
    assert (small.width, small.height) == (300, 200)


def test_embedded_raster_check_reads_only_the_header():
    report = images.inspect_embedded(samples.png_header_only(3000, 3000), max_pixels=4_000_000)
    assert codes(report) == ["image.too_many_pixels"]
    assert images.inspect_embedded(_encoded("GIF"), max_pixels=4_000_000).ok
