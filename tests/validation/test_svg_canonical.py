"""Canonical SVGs, from the attacker's side: the five hidden hostile classes the red team found are
refused with their rule and place, links inside the document are allowed, and what is stored is
the validator's re-serialisation of the checked tree, never the uploaded bytes."""

import pytest

from catalog.validation import Report, render, svg
from catalog.validation.svg import check_structure, validate_svg

NS = 'xmlns="http://www.w3.org/2000/svg"'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
DOT = '<circle cx="12" cy="12" r="11"/>'


def mark(body: str, attrs: str = 'viewBox="0 0 24 24"') -> bytes:
    return f"<svg {NS} {attrs}>{body}</svg>".encode()


def refused(data: bytes, role: str = "mark") -> list[tuple[str, str]]:
    report = validate_svg(data, role=role)
    assert not report.ok
    assert report.stored is None
    for problem in report.errors:
        assert problem.where, problem
        assert len(problem.message) > 30
    return [(p.code, p.where) for p in report.errors]


@pytest.fixture
def no_drawing(monkeypatch):
    """The file must be refused before it is drawn."""

    def draw(*_args, **_kwargs):
        raise AssertionError("drawn although the structure is refused")

    monkeypatch.setattr(render, "draw", draw)


# --- 1. Markup hidden in CDATA or in text ---------------------------------------------------------


@pytest.mark.parametrize(
    "cdata",
    [
        "</style><script>alert(1)</script>",
        "circle{fill:red} <!-- x -->",
        "<img src=x onerror=alert(1)>",
        "<?php echo 1 ?>",
    ],
)
def test_markup_inside_cdata_is_refused_where_it_is(no_drawing, cdata):
    data = mark(f"<style><![CDATA[{cdata}]]></style>{DOT}")
    assert refused(data) == [("svg.markup_in_cdata", "line 1, CDATA section")]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (f"<title>&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;</title>{DOT}", "<title>"),
        (f"<desc>&lt;!-- hidden</desc>{DOT}", "<desc>"),
        (f"<style>circle{{fill:red}} &#60;/style&#62;&lt;script&gt;</style>{DOT}", "<style>"),
        (f"<text x='1' y='9'>&lt;script&gt;alert(1)&lt;/script&gt;</text>{DOT}", "<text>"),
    ],
)
def test_text_that_an_html_parser_reads_as_markup_is_refused(no_drawing, body, where):
    codes = refused(mark(body))
    assert codes[0][0] == "svg.markup_in_text"
    assert codes[0][1] == f"line 1, text in {where}"


def test_markup_in_text_after_an_element_is_refused(no_drawing):
    assert refused(mark(f"{DOT}&lt;/svg&gt;&lt;script&gt;")) == [
        ("svg.markup_in_text", "line 1, text after <circle>")
    ]


def test_text_with_harmless_angle_brackets_is_kept_escaped():
    report = validate_svg(
        mark(
            f"<title>a &lt; b &amp;&amp; c &gt; d</title><style>g > circle{{fill:red}}</style>{DOT}"
        ),
        role="mark",
    )
    assert report.ok, report.errors
    assert b"<title>a &lt; b &amp;&amp; c &gt; d</title>" in report.stored
    assert b"<style>g &gt; circle{fill:red}</style>" in report.stored


def test_harmless_cdata_is_accepted_and_not_stored():
    data = mark(f"<style><![CDATA[ circle {{ fill: #123 }} ]]></style>{DOT}")
    report = validate_svg(data, role="mark")
    assert report.ok, report.errors
    assert b"CDATA" not in report.stored
    assert b"<style> circle { fill: #123 } </style>" in report.stored


# --- 2. Code inside comments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "comment",
    [
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe srcdoc='x'>",
        "<style>@import 'x'</style>",
        "<a href='javascript:alert(1)'>",
        "<% system('id') %>",
    ],
)
def test_code_inside_a_comment_is_refused(no_drawing, comment):
    assert refused(mark(f"<!-- {comment} -->{DOT}")) == [("svg.suspicious_comment", "line 1")]


def test_other_comments_are_dropped_from_the_stored_file():
    data = mark(f"<!-- Generator: Adobe Illustrator --><!-- <rect width='1' height='1'/> -->{DOT}")
    report = validate_svg(data, role="mark")
    assert report.ok, report.errors
    assert b"<!--" not in report.stored and b"Illustrator" not in report.stored


# --- 3. Absurd intrinsic dimensions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("attrs", "where"),
    [
        ('width="1000000000" height="1000000000" viewBox="0 0 24 24"', "width on <svg>"),
        ('width="24" height="1e999" viewBox="0 0 24 24"', "height on <svg>"),
        ('width="500in" height="500in"', "width on <svg>"),
        ('width="20000%" height="24" viewBox="0 0 24 24"', "width on <svg>"),
        ('viewBox="0 0 1e30 1e30"', "viewBox on <svg>"),
        ('viewBox="-10000000 0 24 24"', "viewBox on <svg>"),
    ],
)
def test_absurd_intrinsic_dimensions_are_refused(no_drawing, attrs, where):
    codes = refused(mark(DOT, attrs))
    assert codes[0] == ("svg.too_big", f"line 1, {where}")


def test_large_but_real_dimensions_pass():
    size = svg.MAX_DIMENSION
    data = mark(DOT, f'width="{size}" height="{size}" viewBox="0 0 24 24"')
    report = validate_svg(data, role="mark")
    assert report.ok, report.errors


# --- 4. One element with thousands of attributes; linear checks -----------------------------------


def flood(count: int = 20_000) -> bytes:
    attrs = " ".join(f'data-a{i}="{i}"' for i in range(count))
    return mark(f'<circle {attrs} cx="12" cy="12" r="11"/>')


def test_an_attribute_flood_is_refused_before_drawing_with_one_problem(no_drawing):
    data = flood()
    assert len(data) < svg.MAX_BYTES
    assert refused(data) == [("svg.too_many_attributes", "line 1, <circle>")]


def test_the_attribute_limit_is_per_element():
    at_limit = " ".join(f'data-a{i}="{i}"' for i in range(svg.MAX_ATTRIBUTES - 3))
    report = validate_svg(mark(f'<circle {at_limit} cx="12" cy="12" r="11"/>'), role="mark")
    assert report.ok, report.errors
    assert b"data-a" not in report.stored  # unknown attributes are not stored


def test_thousands_of_problems_are_reported_as_a_bounded_list(no_drawing):
    body = "".join(f'<circle x{i}="1" r="1"/>' for i in range(5_000))
    report = Report()
    assert check_structure(mark(body), report) is None
    assert len(report.errors) == svg.MAX_REPORTED + 1
    assert report.errors[-1].code == "svg.more_problems"
    assert "4948 more" in report.errors[-1].message  # x1 and x2 are SVG attributes


# --- Links inside the document --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '<a href="#c"><circle id="c" cx="12" cy="12" r="11"/></a>',
        '<a xlink:href="#c"><circle id="c" cx="12" cy="12" r="11"/></a>',
        f'<a href="#">{DOT}</a>',
        '<defs><circle id="c" cx="12" cy="12" r="11"/></defs><use href="#c"/>',
        '<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
        '<circle fill="url(#g)" style="stroke:url( \'#g\' )" cx="12" cy="12" r="11"/>',
        '<style>circle{fill:url("#g")}</style><defs><linearGradient id="g"><stop offset="0"/>'
        f"</linearGradient></defs>{DOT}",
    ],
)
def test_links_to_fragments_inside_the_document_are_accepted(body):
    report = validate_svg(mark(body, f'{XLINK} viewBox="0 0 24 24"'), role="mark")
    assert report.ok, report.errors


def test_links_out_of_the_document_stay_refused():
    codes = refused(mark(f'<a href="https://evil.example/">{DOT}</a>'))
    assert codes == [("svg.link", "line 1, href on <a>")]


# --- The stored file ------------------------------------------------------------------------------


EDITOR_EXPORT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    "<!-- Created with Inkscape (http://www.inkscape.org/) -->\n"
    f'<svg {NS} {XLINK} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
    'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'width="240" height="80" viewBox="0 0 240 80" inkscape:version="1.3" data-tracking="x1">\n'
    '  <sodipodi:namedview id="nv" inkscape:zoom="2"/>\n'
    "  <metadata><rdf:RDF><dc:title>Acme</dc:title></rdf:RDF></metadata>\n"
    '  <style type="text/css"><![CDATA[ .a { fill: #3b3bd6 } ]]></style>\n'
    '  <defs><linearGradient id="g"><stop offset="0" stop-color="#111"/></linearGradient>'
    '<rect id="bar" width="150" height="30"/></defs>\n'
    '  <g inkscape:label="Layer 1" inkscape:groupmode="layer" aria-label="Acme &amp; co">\n'
    '    <circle class="a" cx="40" cy="40" r="30" data-name="dot"/>\n'
    '    <use xlink:href="#bar" x="80" y="25" fill="url(#g)"/>\n'
    "  </g>\n"
    "</svg>\n"
).encode()


def test_the_stored_file_is_the_reserialised_allow_listed_tree():
    report = validate_svg(EDITOR_EXPORT, role="logo")
    assert report.ok, report.errors
    stored = report.stored.decode()
    for gone in ("<?xml", "<!--", "CDATA", "inkscape", "sodipodi", "rdf", "metadata", "data-"):
        assert gone not in stored, gone
    assert stored.startswith(f'<svg {NS} {XLINK} width="240" height="80" viewBox="0 0 240 80">')
    assert '<use xlink:href="#bar" x="80" y="25" fill="url(#g)"/>' in stored
    assert 'aria-label="Acme &amp; co"' in stored
    assert '<style type="text/css"> .a { fill: #3b3bd6 } </style>' in stored


def test_the_stored_file_round_trips():
    first = validate_svg(EDITOR_EXPORT, role="logo")
    again = validate_svg(first.stored, role="logo")
    assert again.ok, again.errors
    assert again.stored == first.stored
    assert again.info["drawn_box"] == first.info["drawn_box"]
    original = render.draw(EDITOR_EXPORT, size=256)
    assert render.draw(first.stored, size=256) == original


def test_attribute_values_are_escaped_for_any_parser():
    data = mark(f'<g aria-label="&quot;&gt;&lt;script&gt;&#10;x">{DOT}</g>')
    report = validate_svg(data, role="mark")
    assert report.ok, report.errors
    # the value can't end early: quotes, "<", "&" and line breaks escaped ("> is harmless there)
    assert b'aria-label="&quot;>&lt;script>&#10;x"' in report.stored
    from html.parser import HTMLParser

    seen = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: seen.append((tag, attrs))
    parser.feed(report.stored.decode())
    assert ("g", [("aria-label", '">' + "<script>\nx")]) in seen
