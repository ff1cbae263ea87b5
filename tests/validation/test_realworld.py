"""Real-world icon sets must pass: every simple-icons SVG as a mark, every devicon wordmark that
draws wider than tall as a logo without a single warning.

``tests/install_node_deps.sh`` (run by ``make test``) installs simple-icons@16.37.0 and
devicon@2.17.0 into ``tests/.npm/node_modules``; the tests skip only when that folder is absent.
"""

from pathlib import Path

import pytest

from catalog.validation import Report, render
from catalog.validation.svg import check_structure, validate_svg

pytestmark = pytest.mark.slow

NODE_MODULES = Path(__file__).resolve().parents[1] / ".npm" / "node_modules"
SIMPLE_ICONS = NODE_MODULES / "simple-icons" / "icons"
DEVICON = NODE_MODULES / "devicon" / "icons"


def _require(folder: Path) -> list[Path]:
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing: run tests/install_node_deps.sh (make test does)")
    return sorted(
        folder.glob("*.svg") if folder == SIMPLE_ICONS else folder.glob("*/*-wordmark.svg")
    )


def test_every_simple_icon_is_accepted_as_a_mark(capsys):
    files = _require(SIMPLE_ICONS)
    refused = []
    advised = 0
    for path in files:
        report = validate_svg(path.read_bytes(), role="mark")
        if not report.ok:
            refused.append((path.name, [e.code for e in report.errors]))
        advised += bool(report.warnings)
    with capsys.disabled():
        print(
            f"\nsimple-icons: {len(files) - len(refused)}/{len(files)} accepted as marks "
            f"({advised} with advice)"
        )
    assert len(files) > 3000
    assert refused == []


def _draws_wider_than_tall(data: bytes) -> bool:
    """Measured here, not by the validator: drawn at 1024 pixels, the box of the pixels at least
    half covered, wider by more than one pixel (within a pixel a drawing counts as square)."""
    drawing = render.draw(data, size=256)
    if drawing.bbox is None:
        return False
    x0, y0, x1, y1 = drawing.bbox
    if abs((x1 - x0) / (y1 - y0) - 1) > 0.03:  # clear at 256 pixels already
        return x1 - x0 > y1 - y0
    x0, y0, x1, y1 = render.draw(data, size=1024).bbox
    return (x1 - x0) > (y1 - y0) + 1


def test_every_wide_devicon_wordmark_is_accepted_as_a_logo_without_warnings(capsys):
    files = _require(DEVICON)
    wide = [path for path in files if _draws_wider_than_tall(path.read_bytes())]
    problems = []
    for path in wide:
        report = validate_svg(path.read_bytes(), role="logo")
        if not report.ok or report.warnings:
            problems.append(
                (path.name, [p.code for p in report.errors], [p.code for p in report.warnings])
            )
    with capsys.disabled():
        print(
            f"\ndevicon: {len(files)} *-wordmark.svg, {len(wide)} draw wider than tall, "
            f"{len(wide) - len(problems)} accepted as logos without warnings"
        )
    assert len(wide) > 400
    assert problems == []


def test_every_real_icon_round_trips_through_its_stored_form(capsys):
    """What the portal stores for a real icon passes every structural check again, unchanged (the
    serialisation is a fixed point); one file in eight is drawn both ways and must draw the same
    box (drawing all 4,000 twice would take minutes)."""
    files = _require(SIMPLE_ICONS) + _require(DEVICON)
    unstable, drawn_differently, compared = [], [], 0
    for number, path in enumerate(files):
        data = path.read_bytes()
        first = Report()
        if check_structure(data, first) is None:
            continue  # refused: other tests' business
        again = Report()
        if check_structure(first.stored, again) is None or again.stored != first.stored:
            unstable.append(path.name)
        if number % 8 == 0:
            compared += 1
            if render.draw(data, size=128) != render.draw(first.stored, size=128):
                drawn_differently.append(path.name)
    with capsys.disabled():
        print(f"\nround trip: {len(files)} real icons, {compared} drawn both ways")
    assert unstable == []
    assert drawn_differently == []
