"""Logos and marks: SVG files checked as hostile input, then judged on what they draw.

1. Bytes: size limit; compressed (svgz) and other formats recognised by their first bytes;
   UTF-8 only.
2. Parse with defusedxml, DTDs forbidden (its default lets a DTD through), entities and external
   references forbidden, processing instructions refused; the root must be an SVG ``<svg>``.
3. Walk every element: allow-listed elements and attributes, no event handlers, every reference
   (``href``, ``xlink:href``, ``url()``, CSS ``@import`` and other fetching functions) local to the
   document, ``javascript:`` and non-image ``data:`` URLs refused, limits on depth, element count
   and on how many elements ``<use>`` and ``url(#…)`` references expand to.
   Also refused: text or CDATA an HTML parser would read as markup (``<`` then a letter, ``/``,
   ``!`` or ``?``), comments holding code, more than MAX_ATTRIBUTES attributes on one element
   (refused while parsing, before the element is built), intrinsic sizes past MAX_DIMENSION px or
   viewBox numbers past MAX_VIEWBOX. Every step is linear in the input; at most MAX_REPORTED
   problems are listed.
4. Re-serialise the checked tree (``canonical``): that, never the uploaded bytes, is what is
   drawn, stored and served (``report.stored``). Other comments, CDATA sections, the XML
   declaration, editors' markup and unknown attributes are not written.
5. Only then draw it (resvg, in an isolated child process, see ``render.py``) and measure the box
   of what it draws: a file that draws nothing is refused, a mark must be square (its canvas or
   what it draws, within 5 %), a logo that draws a shape not wider than tall gets advice.

Each problem says which rule (``code``), what to change (``message``) and where (line, element).
"""

import base64
import binascii
import math
import re
from dataclasses import dataclass
from typing import NamedTuple
from xml.etree.ElementTree import ParseError, TreeBuilder
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from catalog.validation import Problem, Report, images, render
from catalog.validation.svg_rules import (
    ACTIVE_NS,
    ANIMATION,
    ATTRIBUTES,
    CSS_URL,
    EDITOR_NS,
    ELEMENTS,
    EMBEDDED_TYPES,
    LENGTH,
    MARKUP_TEXT,
    NUMBER,
    REFUSED_ELEMENTS,
    SCRIPT_URL,
    SUSPICIOUS_COMMENT,
    SVG_NS,
    TEXT_ELEMENTS,
    UNITS,
    WS_CTL,
    XLINK_ATTRIBUTES,
    XLINK_NS,
    XML_ATTRIBUTES,
    XML_NS,
    css_problems,
    reference_problem,
)

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_ELEMENTS = 10_000
MAX_EXPANDED = 20_000
MAX_EMBEDDED_PIXELS = 4_000_000
MAX_ASPECT = 40.0
MAX_OCTAVES = 10
MAX_KERNEL_ORDER = 15
# An element with more attributes than this is an attack (resvg takes seconds over thousands):
# real exports have fewer than 10 (editors' bookkeeping elements about 30).
MAX_ATTRIBUTES = 100
# Intrinsic size of the root <svg> in CSS pixels (width/height): browsers' largest canvas edge.
MAX_DIMENSION = 16_384
# Every viewBox number, in absolute value: past this resvg's 32-bit floats lose whole units.
MAX_VIEWBOX = 1_000_000
# Problems reported for one file; past it, one more says how many were left out.
MAX_REPORTED = 50
SQUARE_TOLERANCE = 0.05
RENDER_SIZE = 128
# A drawing close to a threshold is measured again at PRECISE_SIZE (a pixel is 0.1 %).
PRECISE_SIZE = 1024


# Names in the tree are expat's, "uri}local" ("local" without a namespace): the parser hands them
# to the C TreeBuilder as they come, with no Python call per element (``_parser``).
_SVG = SVG_NS + "}"
_SVG_ROOT = _SVG + "svg"


def _split(name: str) -> tuple[str, str]:
    """``"uri}local"`` → ``("uri", "local")``; ``"local"`` → ``("", "local")``. (A local name
    can't hold "}", so the last one ends the namespace.)"""
    ns, _, local = name.rpartition("}")
    return ns, local


class Role:
    LOGO = "logo"
    MARK = "mark"
    ALL = (LOGO, MARK)


class _Refused(Exception):
    """Raised from parser callbacks to stop at the first document-level problem."""

    def __init__(self, code: str, message: str, where: str = ""):
        super().__init__(message)
        self.code, self.message, self.where = code, message, where


@dataclass
class _Found:
    """A problem found on an element; its line is looked up only when there are problems."""

    code: str
    message: str
    index: int
    what: str
    warning: bool = False


def _check_embedded(href: str) -> tuple[str, str] | None:
    """``data:image/…;base64,…`` on <image>/<feImage>: a real raster of sane size, or a problem."""
    header, sep, payload = href.partition(",")
    parts = header[5:].lower().split(";")
    mime = parts[0].strip()
    if not sep or mime not in EMBEDDED_TYPES or "base64" not in parts[1:]:
        return reference_problem(href, "image href")
    try:
        data = base64.b64decode(WS_CTL.sub("", payload), validate=True)
    except (binascii.Error, ValueError):
        return ("svg.embedded_image", "An embedded picture isn't valid base64 data.")
    report = images.inspect_embedded(data, max_pixels=MAX_EMBEDDED_PIXELS)
    if report.errors:
        return ("svg.embedded_image", "Embedded picture: " + report.errors[0].message)
    if report.info.get("format") != EMBEDDED_TYPES[mime]:
        return (
            "svg.embedded_image",
            f"An embedded picture says it is {mime} but is {report.info.get('format')}.",
        )
    return None


def _length(value: str | None) -> float | None:
    if not value:
        return None
    m = LENGTH.match(value)
    if not m:
        return None
    number = float(m.group(1)) * UNITS[m.group(2)]
    return number if math.isfinite(number) else None


def _viewbox(value: str) -> tuple[float, float, float, float] | None:
    parts = value.replace(",", " ").split()
    if len(parts) != 4:
        return None
    try:
        numbers = tuple(map(float, parts))
    except ValueError:
        return None
    # a sum is finite only when every term is (inf - inf is nan)
    if numbers[2] <= 0 or numbers[3] <= 0 or not math.isfinite(sum(numbers)):
        return None
    return numbers  # type: ignore[return-value]


# defusedxml's guards, the handlers ``DefusedXMLParser(forbid_dtd=True, forbid_entities=True,
# forbid_external=True)`` installs on its expat parser; they only raise, so one instance serves.
_DEFUSED = DefusedXMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)


def _parser(target, data: bytes):
    """An expat parser guarded by defusedxml's handlers, building ``target`` (a C TreeBuilder).

    It does what ElementTree's pure-Python ``XMLParser`` (which defusedxml subclasses) does, with
    less work: a handful of handlers instead of a Python object's dozen, names kept as expat
    gives them, and elements, text and end tags going from expat to the C TreeBuilder without a
    Python call. Only when the bytes hold more "=" than MAX_ATTRIBUTES (so one element could
    have more attributes than that) does a Python handler count each element's attributes, and
    refuse past the limit before the element is built (the attribute flood). For the small
    icons most uploads are, the Python call per element was a fifth of the whole check
    (``python -m benchmarks.validation``, simple-icons: checks 1.52-1.65x a bare parse before,
    see the closing note of issue 11 for after)."""
    raw = expat.ParserCreate(None, "}")
    raw.StartDoctypeDeclHandler = _DEFUSED.defused_start_doctype_decl
    raw.EntityDeclHandler = _DEFUSED.defused_entity_decl
    raw.UnparsedEntityDeclHandler = _DEFUSED.defused_unparsed_entity_decl
    raw.ExternalEntityRefHandler = _DEFUSED.defused_external_entity_ref_handler
    raw.buffer_text = 1
    raw.EndElementHandler = target.end
    raw.CharacterDataHandler = target.data
    if data.count(b"=") <= MAX_ATTRIBUTES:
        raw.StartElementHandler = target.start
        return raw
    tree_start = target.start

    def start(tag, attrs):
        if len(attrs) > MAX_ATTRIBUTES:
            local = tag.rpartition("}")[2][:30]
            raise _Refused(
                "svg.too_many_attributes",
                f"<{local}> has {len(attrs)} attributes; the limit is {MAX_ATTRIBUTES} per "
                "element. Export the file again (or run it through SVGO).",
                f"line {raw.CurrentLineNumber}, <{local}>",
            )
        return tree_start(tag, attrs)

    raw.StartElementHandler = start
    return raw


def _extra_handlers(raw, data: bytes) -> None:
    """Processing instructions, the XML declaration, comments and CDATA sections: handlers only
    for what the bytes hold (without "<?", "<!--" or "<![CDATA[" there is nothing to see)."""

    def on_pi(target, _data):
        raise _Refused(
            "svg.processing_instruction",
            f"Processing instructions (<?{target[:30]} …?>) aren't allowed. Remove the line.",
            f"line {raw.CurrentLineNumber}",
        )

    def on_xml_decl(_version, encoding, _standalone):
        if encoding and encoding.lower().replace("_", "-") not in (
            "utf-8",
            "utf8",
            "us-ascii",
            "ascii",
        ):
            raise _Refused(
                "svg.encoding",
                f'The file declares encoding="{encoding[:30]}"; save it as UTF-8.',
                "line 1",
            )

    def on_comment(text):
        if SUSPICIOUS_COMMENT.search(text):
            raise _Refused(
                "svg.suspicious_comment",
                "A comment holds HTML or script (a polyglot file that other programs could run). "
                "Remove the comment (comments are never stored).",
                f"line {raw.CurrentLineNumber}",
            )

    cdata: list[str] = []
    keep_data = raw.CharacterDataHandler

    def in_cdata(text):
        cdata.append(text)
        keep_data(text)

    def on_cdata_start():
        cdata.clear()
        raw.CharacterDataHandler = in_cdata

    def on_cdata_end():
        raw.CharacterDataHandler = keep_data
        m = MARKUP_TEXT.search("".join(cdata))
        if m:
            text = "".join(cdata)
            raise _Refused(
                "svg.markup_in_cdata",
                f"A CDATA section holds “{text[m.start() : m.start() + 12]}…”, which a web page "
                "showing the SVG inline would read as HTML. Remove it.",
                f"line {raw.CurrentLineNumber}, CDATA section",
            )

    if b"<?" in data:
        raw.ProcessingInstructionHandler = on_pi
        raw.XmlDeclHandler = on_xml_decl
    if b"<!--" in data:
        raw.CommentHandler = on_comment
    if b"<![CDATA[" in data:
        raw.StartCdataSectionHandler = on_cdata_start
        raw.EndCdataSectionHandler = on_cdata_end


def _parse(data: bytes):
    """Parse with DTDs, entities, external references and processing instructions refused."""
    target = TreeBuilder()
    raw = _parser(target, data)
    # one-byte searches (memchr) are several times faster than "<?" or "<!"
    if b"?" in data or b"!" in data:
        _extra_handlers(raw, data)
    try:
        raw.Parse(data, True)
    except expat.ExpatError as exc:
        error = ParseError(str(exc))
        error.code, error.position = exc.code, (exc.lineno, exc.offset)
        raise error from None
    except DTDForbidden as exc:
        raise _Refused(
            "svg.dtd",
            f"DOCTYPE declarations aren't allowed (found <!DOCTYPE {exc.name or ''} …>). Remove "
            "it: export without a DTD, or run the file through SVGO.",
            f"line {raw.CurrentLineNumber}",
        ) from None
    except EntitiesForbidden as exc:  # pragma: no cover - a DTD always comes first
        raise _Refused("svg.entity", f"Entity declarations ({exc.name}) aren't allowed.") from None
    except ExternalReferenceForbidden:  # pragma: no cover - a DTD always comes first
        raise _Refused("svg.external_entity", "External entities aren't allowed.") from None
    return target.close()


_PARSE_ERRORS = {
    expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]: (
        "svg.truncated",
        "The file ends too early (it is cut short or empty). Export it again.",
    ),
    expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN]: (
        "svg.truncated",
        "The file ends in the middle of a tag (it is cut short). Export it again.",
    ),
    expat.errors.codes[expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: (
        "svg.trailing_content",
        "There is something after the closing </svg> (two files joined, or a polyglot). Remove "
        "everything after </svg>.",
    ),
    expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]: (
        "svg.undefined_entity",
        "The file uses a named entity such as &nbsp; that SVG doesn't define. Use a numeric one "
        "(&#160;) or the character itself.",
    ),
    expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING]: (
        "svg.encoding",
        "The file declares an encoding other than UTF-8. Save it as UTF-8.",
    ),
    expat.errors.codes[expat.errors.XML_ERROR_INCORRECT_ENCODING]: (
        "svg.encoding",
        "The file's encoding declaration doesn't match its bytes. Save it as UTF-8.",
    ),
    expat.errors.codes[expat.errors.XML_ERROR_MISPLACED_XML_PI]: (
        "svg.leading_content",
        "Something comes before the <?xml …?> declaration (or it appears twice). The file must "
        "start with <?xml or <svg.",
    ),
    expat.errors.codes[expat.errors.XML_ERROR_UNBOUND_PREFIX]: (
        "svg.malformed",
        "The file uses a namespace prefix (such as xlink:) without declaring it. Add "
        'xmlns:xlink="http://www.w3.org/1999/xlink" to <svg>, or export it again.',
    ),
}


def _element_lines(data: bytes) -> list[int]:
    """Line of each element's start tag, in document order (only run on DTD-free documents)."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    lines: list[int] = []

    def start(_name, _attrs):
        lines.append(parser.CurrentLineNumber)

    def refuse(*_args):
        raise ValueError("DTD")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, ValueError):
        pass
    return lines


class _Walk:
    """One pass over the element tree: allow-lists, references and limits.

    Written for speed on the common case (an allowed SVG element whose attributes are allowed
    and hold nothing that could be a reference): that path is a few set lookups per attribute.
    """

    def __init__(self) -> None:
        self.found: list[_Found] = []
        self.count = 0
        self.has_text = False
        self.refs: list[tuple[int, str]] = []
        self.ids: dict[str, int] = {}
        self.elements: list = []
        self.stopped = False
        self.more = 0
        self._meta: set[int] | None = None

    def add(self, code: str, message: str, index: int, what: str) -> None:
        if len(self.found) < MAX_REPORTED:
            self.found.append(_Found(code, message, index, what))
        else:
            self.more += 1

    def run(self, root, texts: bool = True) -> None:
        """``texts=False`` when no text can hold "<" (the bytes have no "&" and no CDATA)."""
        elements = self.elements = list(root.iter())
        self.count = len(elements)
        if self.count > MAX_ELEMENTS:
            self.add(
                "svg.too_many_elements",
                f"The file has {self.count} elements; the limit is {MAX_ELEMENTS}. Simplify it "
                "(merge paths, remove hidden layers) and export it again.",
                MAX_ELEMENTS,
                "document",
            )
            self.stopped = True
            return
        if self.count > MAX_DEPTH and self._too_deep(root):
            self.stopped = True
            return
        prefix, plain = _SVG, _PLAIN_ATTRIBUTES
        cut = len(prefix)
        for index, el in enumerate(elements):
            tag = el.tag
            if tag.startswith(prefix):
                local = tag[cut:]
                if local not in ELEMENTS:
                    self.refused_element(local, index)
                    continue
                if local in _SPECIAL:
                    self.special(el, index, local)
                foreign = False
            elif not self.foreign_element(el, index):
                continue
            else:
                local, foreign = _split(tag)[1], True
            if texts:
                text, tail = el.text, el.tail
                if (text and "<" in text) or (tail and "<" in tail):
                    self.markup_text(el, index, local)
            # (more than MAX_ATTRIBUTES attributes on an element: refused by the parser)
            for name, value in el.attrib.items():
                # nothing to look at: no scheme (":"), no url() ("("), no CSS escape ("\\")
                if name in plain and ":" not in value and "(" not in value and "\\" not in value:
                    continue
                self.attribute(index, local, name, value, foreign)

    def markup_text(self, el, index: int, local: str) -> None:
        for where, text in ((f"text in <{local}>", el.text), (f"text after <{local}>", el.tail)):
            m = MARKUP_TEXT.search(text or "")
            if m:
                shown = text[m.start() : m.start() + 12]
                self.add(
                    "svg.markup_in_text",
                    f"The text “{shown}…” looks like markup: a web page that shows the SVG inline "
                    "would read it as HTML. Remove it (a logo needs no such text).",
                    index,
                    where,
                )

    def _too_deep(self, root) -> bool:
        stack = [(root, 1)]
        while stack:
            el, depth = stack.pop()
            if depth > MAX_DEPTH:
                index = next(i for i, e in enumerate(self.elements) if e is el)
                self.add(
                    "svg.too_deep",
                    f"Elements are nested more than {MAX_DEPTH} levels deep. Flatten the groups.",
                    index,
                    f"<{_split(el.tag)[1]}>",
                )
                return True
            stack.extend((child, depth + 1) for child in el)
        return False

    def refused_element(self, local: str, index: int) -> None:
        code, message = REFUSED_ELEMENTS.get(
            local,
            (
                "svg.element_not_allowed",
                f"The element <{local}> isn't allowed in a logo. Remove it or export with plain "
                "shapes.",
            ),
        )
        self.add(code, message, index, f"<{local}>")

    def in_metadata(self, el) -> bool:
        if self._meta is None:
            root = self.elements[0]
            self._meta = {id(e) for m in root.iter(_SVG + "metadata") for e in m.iter()}
        return id(el) in self._meta

    def foreign_element(self, el, index: int) -> bool:
        """A non-SVG element: True when it is harmless editor or metadata markup."""
        ns, local = _split(el.tag)
        if ns in ACTIVE_NS:
            code = "svg.script" if local.lower() == "script" else "svg.foreign_element"
            message = f"{ACTIVE_NS[ns]} elements (<{local}>) aren't allowed inside an SVG logo."
        elif not ns:
            code = "svg.foreign_element"
            message = (
                f"The element <{local}> has no SVG namespace, so browsers don't draw it. Export "
                "the file again."
            )
        elif ns in EDITOR_NS or self.in_metadata(el):
            return True
        else:
            code = "svg.foreign_element"
            message = f"The element <{local}> (namespace {ns[:60]}) isn't part of SVG. Remove it."
        self.add(code, message, index, f"<{local}>")
        return False

    def special(self, el, index: int, local: str) -> None:
        if local in TEXT_ELEMENTS:
            self.has_text = True
        elif local == "style":
            self.style_element(el, index)
        elif local in ANIMATION:
            self.animation(el, index, local)
        elif local == "feTurbulence":
            self.limit_number(el, index, local, "numOctaves", MAX_OCTAVES)
        elif local == "feConvolveMatrix":
            self.limit_number(el, index, local, "order", MAX_KERNEL_ORDER)

    def attribute(self, index: int, local: str, name: str, value: str, foreign: bool) -> None:
        if "}" in name:
            ns, attr = _split(name)
            if ns == XLINK_NS and attr in XLINK_ATTRIBUTES:
                if attr == "href":
                    self.reference(value, index, local, "xlink:href")
                    return
            elif ns == XML_NS and attr in XML_ATTRIBUTES:
                pass
            elif ns == XML_NS and attr == "base":
                self.add(
                    "svg.xml_base",
                    "xml:base changes where references point and isn't allowed. Remove it.",
                    index,
                    f"xml:base on <{local}>",
                )
                return
            elif ns not in EDITOR_NS:
                self.add(
                    "svg.attribute_not_allowed",
                    f"The attribute {attr} (namespace {ns[:60]}) isn't allowed.",
                    index,
                    f"{attr} on <{local}>",
                )
                return
        elif name[:2].lower() == "on":
            self.add(
                "svg.event_handler",
                f"Event handlers ({name}=…) run code and aren't allowed. Remove the attribute.",
                index,
                f"{name} on <{local}>",
            )
            return
        elif name == "href":
            self.reference(value, index, local, "href")
            return
        elif name == "style":
            for code, message in css_problems(value):
                self.add(code, message, index, f"style on <{local}>")
            if "(" in value:
                self.local_urls(value, index)
            return
        elif name == "id":
            self.ids.setdefault(value.strip(), index)
            return
        elif not (foreign or name in ATTRIBUTES or name.startswith(("data-", "aria-"))):
            self.add(
                "svg.attribute_not_allowed",
                f"The attribute {name} isn't allowed on <{local}>. Remove it.",
                index,
                f"{name} on <{local}>",
            )
            return
        self.value(value, index, local, name)

    def value(self, value: str, index: int, local: str, name: str) -> None:
        if ":" in value and SCRIPT_URL.search(WS_CTL.sub("", value).lower()):
            self.add(
                "svg.javascript_url",
                "javascript: URLs run code and aren't allowed in a logo. Remove the value.",
                index,
                f"{name} on <{local}>",
            )
            return
        if "(" in value or "\\" in value:
            for code, message in css_problems(value):
                self.add(code, message, index, f"{name} on <{local}>")
            self.local_urls(value, index)

    def local_urls(self, value: str, index: int) -> None:
        for m in CSS_URL.finditer(value):
            target = (m.group(1) or m.group(2) or m.group(3) or "").strip()
            if target.startswith("#"):
                self.refs.append((index, target[1:]))

    def reference(self, value: str, index: int, local: str, attr: str) -> None:
        target = WS_CTL.sub("", value)
        if target.startswith("#") and len(target) > 1:
            self.refs.append((index, target[1:]))
            return
        if target == "#":  # the document itself
            return
        if local == "a":
            problem = (
                "svg.link",
                f"Links (<a>) to other documents (“{target[:60]}”) aren't allowed in a logo; "
                "links inside the file (#id) are. Remove the <a> element (keep its content).",
            )
        elif local in ("image", "feImage") and target.lower().startswith("data:"):
            problem = _check_embedded(target)
        else:
            problem = reference_problem(target, attr)
        if problem:
            self.add(problem[0], problem[1], index, f"{attr} on <{local}>")

    def style_element(self, el, index: int) -> None:
        kind = (el.get("type") or "text/css").strip().lower()
        if kind not in ("text/css", ""):
            self.add(
                "svg.style_type",
                f'<style type="{kind[:40]}"> isn\'t CSS. Only CSS styles are allowed.',
                index,
                "<style>",
            )
        if len(el):
            self.add("svg.malformed", "<style> may contain only CSS text.", index, "<style>")
        for code, message in css_problems(el.text or ""):
            self.add(code, message, index, "<style>")

    def animation(self, el, index: int, local: str) -> None:
        target = (el.get("attributeName") or "").strip()
        name = target.rpartition(":")[2].lower()
        if name == "href":
            self.add(
                "svg.animated_reference",
                f"<{local}> changes a link ({target}); animating references isn't allowed.",
                index,
                f"attributeName on <{local}>",
            )
        elif name.startswith("on"):
            self.add(
                "svg.event_handler",
                f"<{local}> sets an event handler ({target}); that isn't allowed.",
                index,
                f"attributeName on <{local}>",
            )
        elif name == "style":
            self.add(
                "svg.animated_reference",
                f"<{local}> animates the style attribute; animate single properties instead.",
                index,
                f"attributeName on <{local}>",
            )

    def limit_number(self, el, index: int, local: str, attr: str, limit: int) -> None:
        raw = el.get(attr)
        if raw is None:
            return
        try:
            numbers = [float(p) for p in raw.replace(",", " ").split()]
        except ValueError:
            return
        if any(not math.isfinite(n) or n > limit for n in numbers):
            self.add(
                "svg.too_complex",
                f'{attr}="{raw[:20]}" on <{local}> is more work than any logo needs (at most '
                f"{limit}).",
                index,
                f"{attr} on <{local}>",
            )

    def expanded_size(self) -> tuple[int, bool]:
        """Elements after following every <use> and url(#…) reference; (size, has a cycle)."""
        elements, ids = self.elements, self.ids
        targets = [ids[t] for _, t in self.refs if t in ids]
        # Common case: no referenced subtree holds a reference itself (no chains, so no cycles
        # and no multiplication): each reference adds its target's subtree once.
        sources = {id(elements[i]) for i, _ in self.refs}
        subtree = {t: sum(1 for _ in elements[t].iter()) for t in set(targets)}
        if not any(id(e) in sources for t in subtree for e in elements[t].iter()):
            return self.count + sum(subtree[t] for t in targets), False
        return self._expanded_size_chained()

    def _expanded_size_chained(self) -> tuple[int, bool]:
        elements = self.elements
        position = {id(el): i for i, el in enumerate(elements)}
        deps: list[list[int]] = [[position[id(c)] for c in el] for el in elements]
        for source, target_id in self.refs:
            target = self.ids.get(target_id)
            if target is not None:
                deps[source].append(target)
        n = len(elements)
        size = [0] * n
        state = [0] * n  # 0 new, 1 on the current path, 2 done
        stack = [(0, False)]
        while stack:
            node, done = stack.pop()
            if done:
                total = 1 + sum(size[d] for d in deps[node])
                size[node] = min(total, MAX_EXPANDED + 1)
                state[node] = 2
                continue
            if state[node]:
                continue
            state[node] = 1
            stack.append((node, True))
            for d in deps[node]:
                if state[d] == 1:
                    return size[0], True
                if state[d] == 0:
                    stack.append((d, False))
        return size[0], False


# Attributes whose value needs no look unless it holds ":", "(" or "\\" (a scheme, url(), escapes).
_PLAIN_ATTRIBUTES = frozenset(ATTRIBUTES - {"href", "style", "id"})
_SPECIAL = frozenset(TEXT_ELEMENTS | ANIMATION | {"style", "feTurbulence", "feConvolveMatrix"})


# --- The stored file: the allow-listed tree, re-serialised ---------------------------------------

# Attribute values escape what ends or changes them; text escapes "&", "<" and ">" ("]]>" too).
_ATTR_ESCAPE = re.compile(r'[&<"\t\n\r]')
_TEXT_ESCAPE = re.compile(r"[&<>\r]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;",
             "\r": "&#13;"}  # fmt: skip
_KEPT_ATTRIBUTES = frozenset(ATTRIBUTES)
_RENAMED = {
    **{XLINK_NS + "}" + a: "xlink:" + a for a in XLINK_ATTRIBUTES},
    **{XML_NS + "}" + a: "xml:" + a for a in XML_ATTRIBUTES},
}
# SVG elements written out, by their parsed name (not <metadata>: its content is editors' RDF).
_WRITTEN = {_SVG + local: local for local in ELEMENTS - {"metadata"}}
_XLINK_DECLARATION = ' xmlns:xlink="' + XLINK_NS + '"'
_SVG_START = '<svg xmlns="' + SVG_NS + '"'


def _escape(m: re.Match) -> str:
    return _ENTITIES[m.group()]


def canonical(root, data: bytes = b"&") -> bytes:
    """The bytes the portal stores: the checked tree written out again, SVG elements and known
    attributes only. Gone: the XML declaration, comments, CDATA (its text is kept, escaped),
    processing instructions, editors' and metadata markup, ``data-*`` and unknown-namespace
    attributes. Text and attribute values are escaped, so no byte of the upload's markup reaches
    the stored file unparsed. Only for a tree that passed every check (depth is bounded, so
    recursion is).

    ``data``, the parsed bytes, only makes it faster: without "&" or "'" in them no attribute
    value can hold a character to escape (no reference, no quote, and the parser turned literal
    line breaks into spaces)."""
    out: list[str] = []
    append = out.append
    kept, renamed, written = _KEPT_ATTRIBUTES, _RENAMED, _WRITTEN.get
    xlink: list[str] = []
    plain = b"&" not in data and b"'" not in data
    attr_escape, text_escape = _ATTR_ESCAPE.search, _TEXT_ESCAPE.search
    sub_attr, sub_text = _ATTR_ESCAPE.sub, _TEXT_ESCAPE.sub

    def write_attributes(attrib) -> None:
        if plain and kept.issuperset(attrib):
            for name, value in attrib.items():
                append(f' {name}="{value}"')
            return
        for name, value in attrib.items():
            if name in kept or name.startswith("aria-"):
                pass
            elif name in renamed:
                name = renamed[name]
                if name[1] == "l":  # xlink:…, not xml:…
                    xlink.append(name)
            else:
                continue
            if not plain and attr_escape(value):
                value = sub_attr(_escape, value)
            append(f' {name}="{value}"')

    def write_content(el, local: str) -> None:
        text = el.text
        if not text and not len(el):
            append("/>")
            return
        append(">")
        if text:
            append(sub_text(_escape, text) if text_escape(text) else text)
        for child in el:
            child_local = written(child.tag)
            if child_local:
                append("<" + child_local)
                if child.attrib:
                    write_attributes(child.attrib)
                if child.text or len(child):
                    write_content(child, child_local)
                else:  # a leaf, most elements: no call
                    append("/>")
            tail = child.tail
            if tail:
                append(sub_text(_escape, tail) if text_escape(tail) else tail)
        append(f"</{local}>")

    append(_SVG_START)
    write_attributes(root.attrib)
    write_content(root, "svg")
    if xlink:
        out[0] = _SVG_START + _XLINK_DECLARATION
    return "".join(out).encode()


class Canvas(NamedTuple):
    width: float
    height: float

    @property
    def aspect(self) -> float:
        return self.width / self.height


_LEADING_NUMBER = re.compile(rf"\s*({NUMBER})\s*([a-z%]*)", re.I)


def _intrinsic_problems(root, walk: _Walk) -> bool:
    """Absurd intrinsic sizes (width/height past MAX_DIMENSION px, infinities): True when found.
    viewBox numbers past MAX_VIEWBOX are refused by ``_canvas``."""
    found = False
    for attr in ("width", "height"):
        raw = root.get(attr)
        m = _LEADING_NUMBER.match(raw) if raw else None
        if not m:
            continue
        unit = m.group(2).lower()
        number = abs(float(m.group(1))) * (1.0 if unit == "%" else UNITS.get(unit or None, 16.0))
        if not number <= MAX_DIMENSION:  # inf and nan too
            walk.add(
                "svg.too_big",
                f'{attr}="{raw[:30]}" on <svg> is larger than any logo needs (at most '
                f"{MAX_DIMENSION:,} px). Give the real size, or only a viewBox.",
                0,
                f"{attr} on <svg>",
            )
            found = True
    return found


def _canvas(root, walk: _Walk) -> Canvas | None:
    raw_w, raw_h = root.get("width"), root.get("height")
    if (raw_w or raw_h) and _intrinsic_problems(root, walk):
        return None
    raw_vb = root.get("viewBox")
    vb = _viewbox(raw_vb) if raw_vb is not None else None
    if raw_vb is not None and vb is None:
        walk.add(
            "svg.viewbox",
            f'viewBox="{raw_vb[:40]}" isn\'t four numbers with a positive width and height, '
            'for example viewBox="0 0 120 40".',
            0,
            "viewBox on <svg>",
        )
        return None
    if vb and max(map(abs, vb)) > MAX_VIEWBOX:
        walk.add(
            "svg.too_big",
            f'viewBox="{raw_vb[:60]}" uses numbers past ±{MAX_VIEWBOX:,}. Scale the drawing '
            'down (for example viewBox="0 0 120 40").',
            0,
            "viewBox on <svg>",
        )
        return None
    w = _length(raw_w) if raw_w else None
    h = _length(raw_h) if raw_h else None
    if w is not None and h is not None and w > 0 and h > 0:
        return Canvas(w, h)
    if vb:
        if w and w > 0:
            return Canvas(w, w * vb[3] / vb[2])
        if h and h > 0:
            return Canvas(h * vb[2] / vb[3], h)
        return Canvas(vb[2], vb[3])
    walk.add(
        "svg.no_size",
        'The file has no size: add a viewBox (for example viewBox="0 0 120 40") or an absolute '
        "width and height.",
        0,
        "<svg>",
    )
    return None


def _aspect(drawing: render.Drawing) -> float:
    x0, y0, x1, y1 = drawing.bbox
    return (x1 - x0) / (y1 - y0)


def wider_than_tall(drawing: render.Drawing) -> bool:
    """Wider by more than a pixel: within a pixel, a drawing is square (the rasteriser's rounding
    differs across and down, so a circle can measure a pixel wider one way)."""
    x0, y0, x1, y1 = drawing.bbox
    return (x1 - x0) > (y1 - y0) + 1


def _borderline(role: str, drawing: render.Drawing, canvas: float) -> bool:
    """Is the coarse measure too close to a threshold to decide? Anti-aliasing can add a pixel
    on each side, so the margin is three pixels' worth of the drawing's size."""
    x0, y0, x1, y1 = drawing.bbox
    margin = 3 / (x1 - x0) + 3 / (y1 - y0)
    drawn = (x1 - x0) / (y1 - y0)
    if role == Role.LOGO:
        return abs(drawn - 1) <= margin
    if _square(canvas):
        return False
    return abs(max(drawn, 1 / drawn) - (1 + SQUARE_TOLERANCE)) <= margin


def _square(aspect: float) -> bool:
    return max(aspect, 1 / aspect) <= 1 + SQUARE_TOLERANCE


def size_problem(size: int) -> Problem | None:
    """The byte limit alone (the form checks it before reading an upload)."""
    if size > MAX_BYTES:
        return Problem(
            "svg.too_large",
            f"The file is {size / 1024:.0f} KB; the limit is {MAX_BYTES // 1024} KB. Simplify "
            "it or run it through SVGO.",
        )
    return None


def _bytes_problem(data: bytes) -> Problem | None:
    if not data:
        return Problem("svg.empty", "The file is empty. Choose the SVG file again.")
    too_large = size_problem(len(data))
    if too_large:
        return too_large
    # Text starts with "<", whitespace or a UTF-8 BOM; anything else is named by its magic number.
    if data[:1] not in (b"<", b" ", b"\t", b"\r", b"\n", b"\xef"):
        found = images.sniff(data)
        if (
            found == "gzip-compressed"
            or data[:3] == b"BZh"
            or data[:6] == b"\xfd7zXZ\x00"
            or (
                data[:4] == b"\x28\xb5\x2f\xfd"
                or data[:2] in (b"\x78\x9c", b"\x78\xda", b"\x78\x01")
            )
        ):
            return Problem(
                "svg.compressed",
                "The file is compressed (svgz or similar). Upload the plain .svg file.",
            )
        if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") or data[:2] in (
            b"\xff\xfe",
            b"\xfe\xff",
        ):
            return Problem(
                "svg.encoding", "The file is saved as UTF-16 or UTF-32. Save it as UTF-8."
            )
        if found and found not in ("SVG", "HTML"):
            return Problem(
                "svg.not_svg",
                f"This is a {found} file, not an SVG. Upload an SVG (vector) file here; a "
                f"{found} can't be used for the logo or the mark.",
            )
    try:
        if not data.isascii():
            data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(
            "svg.encoding",
            f"The file isn't valid UTF-8 (byte {exc.start}). Save it as UTF-8.",
            f"byte {exc.start}",
        )
    head = data[:300].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return Problem("svg.not_svg", "This is an HTML page, not an SVG file.")
    return None


def check_structure(data: bytes, report: Report) -> tuple[object, _Walk] | None:
    """Steps 1–3. Fills ``report`` and returns (root, walk) when the drawing may be rendered;
    then ``report.stored`` holds the canonical bytes (``canonical``), the ones drawn and stored."""
    problem = _bytes_problem(data)
    if problem:
        report.errors.append(problem)
        return None
    try:
        root = _parse(data)
    except _Refused as exc:
        report.error(exc.code, exc.message, exc.where)
        return None
    except ParseError as exc:
        line, column = exc.position
        code, message = _PARSE_ERRORS.get(
            exc.code,
            ("svg.malformed", f"The file isn't well-formed XML ({str(exc).split(':')[0]})."),
        )
        report.error(code, message, f"line {line}, column {column + 1}", line)
        return None
    walk = _Walk()
    if root.tag != _SVG_ROOT:
        ns, local = _split(root.tag)
        if local == "svg" and not ns:
            report.error(
                "svg.namespace",
                'The <svg> element lacks xmlns="http://www.w3.org/2000/svg", so browsers won\'t '
                "draw it. Add the attribute.",
                "<svg>",
                1,
            )
        else:
            report.error(
                "svg.not_svg",
                f"The file's root element is <{local[:30]}>, not <svg>. Upload an SVG image.",
                f"<{local[:30]}>",
            )
        return None
    walk.run(root, texts=b"&" in data or b"[" in data)  # a reference or <![CDATA[
    canvas = None if walk.stopped else _canvas(root, walk)
    if not walk.stopped and walk.refs:
        size, cycle = walk.expanded_size()
        if cycle:
            walk.add(
                "svg.reference_cycle",
                "References (<use> or url(#…)) form a loop. Remove the element that refers back "
                "to itself.",
                0,
                "document",
            )
        elif size > MAX_EXPANDED:
            walk.add(
                "svg.too_complex",
                f"<use> and url(#…) references expand to more than {MAX_EXPANDED} elements (a "
                "reference bomb). Simplify the file.",
                0,
                "document",
            )
    if canvas is not None and not 1 / MAX_ASPECT <= canvas.width / canvas.height <= MAX_ASPECT:
        walk.add(
            "svg.extreme_aspect",
            f"The canvas is {canvas.width:g}×{canvas.height:g}: more than {MAX_ASPECT:g} times "
            "wider than tall (or the reverse). Crop it to the drawing.",
            0,
            "<svg>",
        )
    if walk.found:
        lines = _element_lines(data)
        for f in walk.found:
            line = lines[f.index] if f.index < len(lines) and f.what != "document" else None
            where = f"line {line}, {f.what}" if line else f.what
            (report.warnings if f.warning else report.errors).append(
                Problem(f.code, f.message, where, line)
            )
        if walk.more:
            report.error(
                "svg.more_problems",
                f"…and {walk.more} more problems like these (only the first {MAX_REPORTED} are "
                "listed).",
                "document",
            )
    info = report.info
    info["elements"] = walk.count
    info["has_text"] = walk.has_text
    if canvas is not None:
        info["canvas"] = [round(canvas.width, 3), round(canvas.height, 3)]
    if report.errors or canvas is None:
        return None
    report.stored = canonical(root, data)
    return root, walk


def validate_svg(data: bytes, *, role: str) -> Report:
    """Every check for a logo or a mark. ``report.info`` gets the canvas and the drawn box;
    ``report.stored`` the bytes to store, when the file is accepted (else None)."""
    if role not in Role.ALL:
        raise ValueError(f"role must be one of {Role.ALL}")
    report = Report()
    _validate(data, role, report)
    if not report.ok:
        report.stored = None
    return report


def _validate(data: bytes, role: str, report: Report) -> Report:
    checked = check_structure(data, report)
    if checked is None:
        return report
    _root, walk = checked
    data = report.stored  # what is drawn is what is stored
    try:
        drawing = render.draw(data, size=RENDER_SIZE, fonts=walk.has_text)
    except render.RenderError as exc:
        report.error(exc.code, exc.message, "drawing")
        return report
    if drawing.bbox is None:
        report.error(
            "svg.draws_nothing",
            "The file draws nothing visible (empty, transparent, or everything outside the "
            "canvas). Export the artwork again.",
            "drawing",
        )
        return report
    canvas_aspect = drawing.size[0] / drawing.size[1]
    if _borderline(role, drawing, canvas_aspect):
        # Close to a rule's threshold: measure again, finer, so a pixel can't tip the verdict.
        try:
            drawing = render.draw(data, size=PRECISE_SIZE, fonts=walk.has_text)
        except render.RenderError as exc:
            report.error(exc.code, exc.message, "drawing")
            return report
        if drawing.bbox is None:  # pragma: no cover - drew something at the coarser size
            report.error("svg.draws_nothing", "The file draws almost nothing visible.", "drawing")
            return report
    width, height = drawing.size
    x0, y0, x1, y1 = drawing.bbox
    drawn_aspect = _aspect(drawing)
    report.info.update(
        drawn_box=[
            round(x0 / width, 4),
            round(y0 / height, 4),
            round(x1 / width, 4),
            round(y1 / height, 4),
        ],
        drawn_aspect=round(drawn_aspect, 4),
        canvas_aspect=round(canvas_aspect, 4),
    )
    if walk.has_text:
        report.warn(
            "svg.text",
            "The file uses live text (<text>), which draws with whatever fonts the viewer has. "
            "Convert the text to outlines (paths)."
            + (" A mark should not contain the company name." if role == Role.MARK else ""),
            "drawing",
        )
    if role == Role.LOGO:
        if not wider_than_tall(drawing):
            report.warn(
                "svg.logo_not_horizontal",
                f"The logo draws a shape {drawn_aspect:.2f} times as wide as it is tall. A "
                "horizontal lockup (symbol beside the name, wider than tall) reads best in the "
                "catalog.",
                "drawing",
            )
    elif not (_square(canvas_aspect) or _square(drawn_aspect)):
        report.error(
            "svg.mark_not_square",
            f"A mark must be square: the canvas is {canvas_aspect:.2f}:1 and the drawing "
            f"{drawn_aspect:.2f}:1. Put the symbol on a square canvas (equal viewBox width and "
            "height), without the company name.",
            "drawing",
        )
    elif max(drawn_aspect, 1 / drawn_aspect) > 2.5:
        report.warn(
            "svg.mark_shape",
            f"The mark draws a shape {max(drawn_aspect, 1 / drawn_aspect):.1f} times longer one "
            "way than the other; in the square catalog tile it will look small. A mark is the "
            "symbol alone, without the name.",
            "drawing",
        )
    return report
