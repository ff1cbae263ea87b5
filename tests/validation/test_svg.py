"""SVG validation: every attack class refused with its rule and place; real exports accepted;
shape judged on what the file draws."""

from pathlib import Path

import pytest

from catalog.validation import render, svg
from catalog.validation.svg import css_problems, validate_svg

FILES = Path(__file__).parent / "files"

# file → (role, the rule that must refuse it)
HOSTILE = {
    "xxe_file.svg": "svg.dtd",
    "xxe_parameter_entity.svg": "svg.dtd",
    "billion_laughs.svg": "svg.dtd",
    "doctype_public.svg": "svg.dtd",
    "script_element.svg": "svg.script",
    "script_cdata_nested.svg": "svg.script",
    "script_xhtml_namespace.svg": "svg.script",
    "onload_root.svg": "svg.event_handler",
    "onclick_uppercase.svg": "svg.event_handler",
    "onbegin_animate.svg": "svg.event_handler",
    "javascript_href_use.svg": "svg.javascript_url",
    "javascript_href_obfuscated.svg": "svg.javascript_url",
    "animate_to_javascript.svg": "svg.javascript_url",
    "link_element.svg": "svg.link",
    "data_url_html.svg": "svg.data_url",
    "data_url_nested_svg.svg": "svg.data_url",
    "data_url_in_fill.svg": "svg.data_url",
    "external_image_http.svg": "svg.external_reference",
    "external_image_file.svg": "svg.external_reference",
    "external_use_relative.svg": "svg.external_reference",
    "external_use_protocol_relative.svg": "svg.external_reference",
    "external_url_fill.svg": "svg.external_reference",
    "external_url_style_attr.svg": "svg.external_reference",
    "external_url_css_escaped.svg": "svg.external_reference",
    "css_import.svg": "svg.css_import",
    "css_import_string_comment.svg": "svg.css_import",
    "css_font_face.svg": "svg.css_at_rule",
    "css_image_set.svg": "svg.external_reference",
    "css_expression.svg": "svg.script",
    "foreign_object.svg": "svg.foreign_object",
    "animate_href.svg": "svg.animated_reference",
    "set_xlink_href.svg": "svg.animated_reference",
    "processing_instruction_stylesheet.svg": "svg.processing_instruction",
    "processing_instruction_php.svg": "svg.processing_instruction",
    "xml_base.svg": "svg.xml_base",
    "xinclude.svg": "svg.foreign_element",
    "xml_events.svg": "svg.attribute_not_allowed",
    "polyglot_html_comment.svg": "svg.suspicious_comment",
    "polyglot_trailing_html.svg": "svg.trailing_content",
    "polyglot_gif.svg": "svg.not_svg",
    "html_page.svg": "svg.not_svg",
    "wrong_root.svg": "svg.not_svg",
    "no_namespace.svg": "svg.namespace",
    "compressed.svgz.svg": "svg.compressed",
    "truncated.svg": "svg.truncated",
    "not_xml.svg": "svg.malformed",
    "nul_byte.svg": "svg.malformed",
    "empty.svg": "svg.empty",
    "undefined_entity.svg": "svg.undefined_entity",
    "encoding_declared_latin1.svg": "svg.encoding",
    "encoding_utf7.svg": "svg.encoding",
    "encoding_invalid_utf8.svg": "svg.encoding",
    "encoding_utf16.svg": "svg.encoding",
    "too_deep.svg": "svg.too_deep",
    "too_many_elements.svg": "svg.too_many_elements",
    "too_large.svg": "svg.too_large",
    "use_bomb.svg": "svg.too_complex",
    "use_cycle.svg": "svg.reference_cycle",
    "pattern_cycle.svg": "svg.reference_cycle",
    "turbulence_octaves.svg": "svg.too_complex",
    "embedded_png_bomb.svg": "svg.embedded_image",
    "embedded_type_mismatch.svg": "svg.embedded_image",
    "unknown_attribute.svg": "svg.attribute_not_allowed",
    "unknown_element.svg": "svg.element_not_allowed",
    "unknown_namespace_element.svg": "svg.foreign_element",
    "bad_viewbox.svg": "svg.viewbox",
    "no_size.svg": "svg.no_size",
    "extreme_aspect.svg": "svg.extreme_aspect",
    "draws_nothing_empty.svg": "svg.draws_nothing",
    "draws_nothing_transparent.svg": "svg.draws_nothing",
    "draws_nothing_outside.svg": "svg.draws_nothing",
    "draws_nothing_hidden.svg": "svg.draws_nothing",
    "pattern_memory_bomb.svg": "svg.render_failed",
}

ACCEPTED = {
    "ok_logo_wordmark_in_square.svg": ("logo", []),
    "ok_illustrator_export.svg": ("logo", []),
    "ok_inkscape.svg": ("logo", []),
    "ok_embedded_png.svg": ("logo", []),
    "ok_use_and_gradients.svg": ("logo", []),
    "ok_animate_opacity.svg": ("logo", []),
    "ok_bom_and_comment.svg": ("logo", []),
    "ok_mark.svg": ("mark", []),
    "ok_mark_wide_canvas_square_drawing.svg": ("mark", []),
    "logo_tall.svg": ("logo", ["svg.logo_not_horizontal"]),
    "logo_square_drawing.svg": ("logo", ["svg.logo_not_horizontal"]),
    "mark_with_text.svg": ("mark", ["svg.text"]),
}


def test_every_fixture_is_classified():
    on_disk = {p.name for p in FILES.glob("*.svg")}
    assert on_disk == set(HOSTILE) | set(ACCEPTED) | {"mark_wide.svg"}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("role", ["logo", "mark"])
def test_hostile_file_is_refused_with_its_rule(name, role):
    report = validate_svg((FILES / name).read_bytes(), role=role)
    codes = [p.code for p in report.errors]
    assert not report.ok
    assert HOSTILE[name] in codes, codes
    for problem in report.errors:
        assert problem.code.startswith("svg.")
        assert len(problem.message) > 30 and problem.message.endswith((".", ")"))


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("script_element.svg", "line 1, <script>"),
        ("onload_root.svg", "line 1, onload on <svg>"),
        ("processing_instruction_stylesheet.svg", "line 2"),
        ("xxe_file.svg", "line 2"),
        ("truncated.svg", "line 1, column 91"),
        ("external_use_relative.svg", "line 1, href on <use>"),
    ],
)
def test_refusals_say_where(name, where):
    report = validate_svg((FILES / name).read_bytes(), role="logo")
    assert report.errors[0].where == where


def test_line_numbers_point_at_the_element():
    data = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">\n'
        b"<g>\n<rect/>\n<script/>\n</g></svg>"
    )
    report = validate_svg(data, role="logo")
    assert report.errors[0].line == 4


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_real_world_shaped_files_are_accepted(name):
    role, warnings = ACCEPTED[name]
    report = validate_svg((FILES / name).read_bytes(), role=role)
    assert report.ok, report.errors
    assert [w.code for w in report.warnings] == warnings


def test_structure_failures_never_reach_the_renderer(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("rendered a file that failed the structural checks")

    monkeypatch.setattr(render, "draw", boom)
    for name in HOSTILE:
        if not name.startswith(("draws_nothing", "pattern_memory")):
            validate_svg((FILES / name).read_bytes(), role="logo")


# --- Shape ---------------------------------------------------------------------------------------

NS = 'xmlns="http://www.w3.org/2000/svg"'


def shape(view_box: str, body: str, role: str):
    return validate_svg(f'<svg {NS} viewBox="{view_box}">{body}</svg>'.encode(), role=role)


def test_wordmark_in_a_square_canvas_is_a_horizontal_logo():
    report = shape("0 0 100 100", '<rect x="5" y="40" width="90" height="20"/>', "logo")
    assert report.ok and report.warnings == []
    assert report.info["drawn_aspect"] > 4
    assert report.info["canvas_aspect"] == 1


def test_logo_not_wider_than_tall_gets_advice_not_an_error():
    report = shape("0 0 300 100", '<rect x="100" width="100" height="100"/>', "logo")
    assert report.ok
    assert [w.code for w in report.warnings] == ["svg.logo_not_horizontal"]


def test_mark_must_be_square():
    report = shape("0 0 300 100", '<rect width="300" height="100"/>', "mark")
    assert [e.code for e in report.errors] == ["svg.mark_not_square"]


def test_mark_square_within_tolerance_is_accepted():
    report = shape("0 0 104 100", '<rect width="104" height="100"/>', "mark")
    assert report.ok


def test_mark_with_a_square_drawing_on_a_wide_canvas_is_accepted():
    report = shape("0 0 300 100", '<circle cx="150" cy="50" r="45"/>', "mark")
    assert report.ok and report.warnings == []


def test_mark_drawing_a_wordmark_in_a_square_canvas_gets_advice():
    report = shape("0 0 100 100", '<rect y="45" width="100" height="10"/>', "mark")
    assert report.ok
    assert [w.code for w in report.warnings] == ["svg.mark_shape"]


def test_absolute_units_give_the_canvas():
    report = validate_svg(
        f'<svg {NS} width="2in" height="1in"><rect width="192" height="96"/></svg>'.encode(),
        role="logo",
    )
    assert report.ok
    assert report.info["canvas"] == [192, 96]


def test_percent_size_without_viewbox_has_no_size():
    report = validate_svg(
        f'<svg {NS} width="100%" height="100%"><rect/></svg>'.encode(), role="logo"
    )
    assert [e.code for e in report.errors] == ["svg.no_size"]


def test_a_file_that_draws_only_outside_its_canvas_draws_nothing():
    report = shape("0 0 10 10", '<circle cx="-50" cy="-50" r="10"/>', "mark")
    assert [e.code for e in report.errors] == ["svg.draws_nothing"]


# --- The isolated renderer -----------------------------------------------------------------------


def test_memory_bomb_kills_only_the_render_worker_which_comes_back():
    bomb = (FILES / "pattern_memory_bomb.svg").read_bytes()
    assert [e.code for e in validate_svg(bomb, role="logo").errors] == ["svg.render_failed"]
    assert validate_svg((FILES / "ok_mark.svg").read_bytes(), role="mark").ok


def test_slow_drawing_is_cut_off_and_the_worker_replaced(monkeypatch, tmp_path):
    # given a renderer that never answers (stands in for a drawing that takes minutes)
    stuck = tmp_path / "stuck_worker.py"
    stuck.write_text("import sys, time\nsys.stdin.buffer.read(7)\ntime.sleep(600)\n")
    render.stop_worker()
    monkeypatch.setattr(render, "WORKER", stuck)
    data = (FILES / "ok_mark.svg").read_bytes()
    # when
    with pytest.raises(render.RenderError) as caught:
        render.draw(data, timeout=0.5)
    stuck_pid = render._worker._proc
    # then the stuck process was killed, and the real worker serves the next drawing
    assert caught.value.code == "svg.too_slow"
    assert "takes longer than 0.5 seconds" in caught.value.message
    assert stuck_pid is None
    monkeypatch.undo()
    assert render.draw(data).bbox is not None


def test_worker_is_a_separate_process():
    import os

    render.draw((FILES / "ok_mark.svg").read_bytes())
    assert render._worker._proc.pid != os.getpid()


# --- CSS and references --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("css", "code"),
    [
        ("@import 'x.css';", "svg.css_import"),
        ("@IMPORT url(x.css)", "svg.css_import"),
        ("@\\69mport 'x.css'", "svg.css_import"),
        ("a{fill:url(http://evil.example/a#b)}", "svg.external_reference"),
        ("a{fill:URL( 'https://evil.example/' )}", "svg.external_reference"),
        ("a{fill:u\\72l(//evil.example/x)}", "svg.external_reference"),
        ("a{fill:u/**/rl(//evil.example/x)}", "svg.external_reference"),
        ("a{background:-webkit-image-set('x.png' 1x)}", "svg.external_reference"),
        ("a{background:cross-fade(url(#a), 'x.png')}", "svg.external_reference"),
        ("a{behavior:url(#x)}", "svg.script"),
        ("a{width:expression(alert(1))}", "svg.script"),
        ("a{-moz-binding:url(#x)}", "svg.script"),
        ("a{fill:url(javascript:alert(1))}", "svg.javascript_url"),
        ("a{fill:url(data:image/svg+xml,<svg/>)}", "svg.data_url"),
        ("@font-face{font-family:x}", "svg.css_at_rule"),
        ("@namespace svg url(http://www.w3.org/2000/svg);", "svg.css_at_rule"),
    ],
)
def test_css_that_fetches_or_runs_is_refused(css, code):
    assert code in [c for c, _ in css_problems(css)]


@pytest.mark.parametrize(
    "css",
    [
        ".st0{fill:#1A1A2E;} .st1{fill:url(#SVGID_1_);}",
        "enable-background:new 0 0 100 100;",
        "@media (prefers-color-scheme: dark) { .a { fill: #fff } }",
        "@keyframes spin { to { transform: rotate(360deg) } }",
        "fill:url('#grad') ; stroke : url(\"#g2\")",
    ],
)
def test_ordinary_css_is_accepted(css):
    assert css_problems(css) == []


def test_unknown_namespace_attribute_is_refused_but_editor_ones_are_not():
    data = (
        f'<svg {NS} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'xmlns:evil="urn:evil" viewBox="0 0 10 10">'
        '<rect width="10" height="10" inkscape:label="ok" evil:thing="x"/></svg>'
    ).encode()
    report = validate_svg(data, role="mark")
    assert [(e.code, e.where) for e in report.errors] == [
        ("svg.attribute_not_allowed", "line 1, thing on <rect>")
    ]


def test_embedded_picture_of_the_right_type_is_accepted():
    assert validate_svg((FILES / "ok_embedded_png.svg").read_bytes(), role="logo").ok


def test_very_deep_nesting_is_refused_without_crashing():
    depth = 9000  # under the element limit, far over the depth limit
    data = f'<svg {NS} viewBox="0 0 9 9">'.encode() + b"<g>" * depth + b"</g>" * depth + b"</svg>"
    report = validate_svg(data, role="logo")
    assert [e.code for e in report.errors] == ["svg.too_deep"]


def test_limits_are_reasonable():
    assert svg.MAX_BYTES == 1024 * 1024
    assert svg.MAX_DEPTH >= 16 and svg.MAX_ELEMENTS >= 5000
