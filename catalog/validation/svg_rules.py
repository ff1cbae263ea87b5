"""The rules of SVG validation as data: namespaces, the element and attribute allow-lists, and
the CSS checks (anything that could fetch or run something). Used by ``svg.py``."""

import re

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SVG_PREFIX = "{" + SVG_NS + "}"

# Markup languages a browser would act on: never allowed inside a logo.
ACTIVE_NS = {
    "http://www.w3.org/1999/xhtml": "HTML",
    "http://www.w3.org/1998/Math/MathML": "MathML",
    "http://www.w3.org/2001/XInclude": "XInclude",
    "http://www.w3.org/2003/XInclude": "XInclude",
    "http://www.w3.org/1999/XSL/Transform": "XSLT",
    "http://www.w3.org/2001/xml-events": "XML Events",
}
# Editors' bookkeeping (Inkscape, Illustrator, Sketch, Affinity, Figma…) and RDF metadata:
# browsers ignore these elements and attributes, so they are allowed.
EDITOR_NS = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.bohemiancoding.com/sketch/ns",
    "http://www.serif.com/",
    "http://www.figma.com/figma/ns",
    "http://www.vectornator.io",
    "https://boxy-svg.com",
    "http://www.corel.com/coreldraw/svg",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
    "http://ns.adobe.com/Extensibility/1.0/",
    "http://ns.adobe.com/Flows/1.0/",
    "http://ns.adobe.com/ImageReplacement/1.0/",
    "http://ns.adobe.com/GenericCustomNamespace/1.0/",
    "http://ns.adobe.com/Graphs/1.0/",
    "http://ns.adobe.com/Variables/1.0/",
    "http://ns.adobe.com/SaveForWeb/1.0/",
    "http://ns.adobe.com/xap/1.0/",
    "http://ns.adobe.com/xap/1.0/mm/",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
    "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}

ANIMATION = {"animate", "animateTransform", "animateMotion", "animateColor", "set"}
ELEMENTS = {
    # structure
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "switch", "view", "style",
    # shapes and text
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
    "textPath", "image",
    # paint servers, clipping, markers
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    # filters
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
    "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
    "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur",
    "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
    # animation (checked: never of a reference, a handler or a style)
    "mpath", *ANIMATION,
    # links: only to fragments inside the document (``href="#id"``), checked in svg.py
    "a",
}  # fmt: skip
REFUSED_ELEMENTS = {
    "script": ("svg.script", "Scripts aren't allowed in a logo. Remove the <script> element."),
    "handler": ("svg.script", "Scripts aren't allowed in a logo. Remove the <handler> element."),
    "listener": ("svg.script", "Event listeners aren't allowed. Remove the <listener> element."),
    "foreignObject": (
        "svg.foreign_object",
        "<foreignObject> embeds HTML in the drawing and isn't allowed. Draw it with SVG shapes.",
    ),
    "font": ("svg.font", "Embedded SVG fonts aren't allowed. Convert the text to outlines."),
    "font-face": ("svg.font", "Embedded SVG fonts aren't allowed. Convert the text to outlines."),
    "glyph": ("svg.font", "Embedded SVG fonts aren't allowed. Convert the text to outlines."),
    "tref": ("svg.external_reference", "<tref> references text elsewhere and isn't allowed."),
}

ATTRIBUTES = {
    # core and accessibility
    "id", "class", "style", "lang", "tabindex", "role", "focusable", "version", "baseProfile",
    "externalResourcesRequired", "requiredFeatures", "requiredExtensions", "systemLanguage",
    "type", "media", "title", "href",
    # geometry
    "x", "y", "width", "height", "rx", "ry", "cx", "cy", "r", "fx", "fy", "fr", "x1", "y1", "x2",
    "y2", "points", "d", "pathLength", "transform", "viewBox", "preserveAspectRatio",
    "zoomAndPan", "refX", "refY", "markerWidth", "markerHeight", "markerUnits", "orient",
    "patternUnits", "patternContentUnits", "patternTransform", "gradientUnits",
    "gradientTransform", "spreadMethod", "offset", "clipPathUnits", "maskUnits",
    "maskContentUnits", "filterUnits", "primitiveUnits", "filterRes", "dx", "dy", "rotate",
    "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side", "path",
    # presentation
    "alignment-baseline", "baseline-shift", "clip", "clip-path", "clip-rule", "color",
    "color-interpolation", "color-interpolation-filters", "color-profile", "color-rendering",
    "cursor", "direction", "display", "dominant-baseline", "enable-background", "fill",
    "fill-opacity", "fill-rule", "filter", "flood-color", "flood-opacity", "font",
    "font-family", "font-size", "font-size-adjust", "font-stretch", "font-style",
    "font-variant", "font-weight", "glyph-orientation-horizontal", "glyph-orientation-vertical",
    "image-rendering", "kerning", "letter-spacing", "lighting-color", "marker", "marker-end",
    "marker-mid", "marker-start", "mask", "mask-type", "opacity", "overflow", "paint-order",
    "pointer-events", "shape-rendering", "stop-color", "stop-opacity", "stroke",
    "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin",
    "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor", "text-decoration",
    "text-rendering", "transform-origin", "transform-box", "unicode-bidi", "vector-effect",
    "visibility", "word-spacing", "writing-mode", "isolation", "mix-blend-mode", "white-space",
    "solid-color", "solid-opacity", "font-kerning", "text-overflow",
    # filter primitives
    "in", "in2", "result", "mode", "operator", "k1", "k2", "k3", "k4", "values", "tableValues",
    "slope", "intercept", "amplitude", "exponent", "stdDeviation", "edgeMode", "order",
    "kernelMatrix", "divisor", "bias", "targetX", "targetY", "kernelUnitLength",
    "preserveAlpha", "surfaceScale", "diffuseConstant", "specularConstant",
    "specularExponent", "limitingConeAngle", "pointsAtX", "pointsAtY", "pointsAtZ", "azimuth",
    "elevation", "z", "scale", "xChannelSelector", "yChannelSelector", "radius",
    "baseFrequency", "numOctaves", "seed", "stitchTiles",
    # animation timing and values
    "attributeName", "attributeType", "begin", "dur", "end", "min", "max", "restart",
    "repeatCount", "repeatDur", "calcMode", "keyTimes", "keySplines", "keyPoints", "from",
    "to", "by", "additive", "accumulate", "origin",
}  # fmt: skip
XLINK_ATTRIBUTES = {"href", "title", "type", "role", "arcrole", "show", "actuate"}
XML_ATTRIBUTES = {"space", "lang", "id"}
EMBEDDED_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/jpg": "JPEG",
                  "image/gif": "GIF", "image/webp": "WEBP"}  # fmt: skip
TEXT_ELEMENTS = {"text", "tspan", "textPath"}

WS_CTL = re.compile(r"[\x00-\x20\x7f]+")
SCRIPT_URL = re.compile(r"(?:java|vb|live|ecma)script:")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(\r\n|[\s\S]))")
_CSS_COMMENT = re.compile(r"/\*[\s\S]*?(?:\*/|$)")
CSS_URL = re.compile(r"url\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)\s]*))", re.IGNORECASE)
_CSS_FETCH = re.compile(r"(?<![\w-])((?:-webkit-)?image-set|image|cross-fade|element|src)\s*\(")
_CSS_SCRIPT = re.compile(r"expression\s*\(|-moz-binding|behaviou?r\s*:|(?:java|vb)script:")
_CSS_AT = re.compile(r"@([a-z-]+)")
CSS_AT_RULES = {"media", "keyframes", "-webkit-keyframes", "supports", "layer", "container"}
NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
LENGTH = re.compile(rf"^\s*({NUMBER})\s*(px|pt|pc|mm|cm|in)?\s*$")
UNITS = {
    None: 1.0,
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "mm": 96 / 25.4,
    "cm": 96 / 2.54,
    "in": 96.0,
}
# Code in a comment: an element that runs or loads something, an event handler, a script URL or
# server-side code (a polyglot another program could run). Comments are never stored; these are
# refused so the partner learns their file is one. A commented-out <rect> is only dropped.
SUSPICIOUS_COMMENT = re.compile(
    r"<\s*/?\s*(?:script|html|head|body|iframe|frame|frameset|object|embed|applet|img|image|"
    r"video|audio|source|link|meta|base|form|input|button|style|math|template|foreignObject|"
    r"svg\b[^>]*\bon)\b|\bon[a-z]{3,}\s*=|(?:java|vb)script\s*:|<\?php|<%",
    re.I,
)
# Text an HTML parser would read as markup if the SVG were inlined in a page: a start or end tag,
# a comment, a declaration or a processing instruction ("<" then a letter, "/", "!" or "?").
MARKUP_TEXT = re.compile(r"<[A-Za-z/!?]")


def local_name(tag: str) -> tuple[str, str]:
    if tag[:1] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _css_unescape(text: str) -> str:
    def one(m: re.Match) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return "" if m.group(2) in ("\n", "\r\n", "\r", "\f") else m.group(2)

    return _CSS_ESCAPE.sub(one, text)


def css_problems(text: str) -> list[tuple[str, str]]:
    """(code, message) for everything in a CSS text or value that could fetch or run something."""
    low = text.lower()
    if "\\" in low:
        low = _css_unescape(low).lower()
    if "/*" in low:
        low = _CSS_COMMENT.sub("", low)
    found: list[tuple[str, str]] = []
    if "@" in low:
        for rule in _CSS_AT.findall(low):
            if rule == "import":
                found.append(
                    ("svg.css_import", "CSS @import loads another file and isn't allowed.")
                )
            elif rule not in CSS_AT_RULES:
                found.append(
                    (
                        "svg.css_at_rule",
                        f"The CSS rule @{rule} isn't allowed in a logo (fonts and "
                        "other files can't be loaded). Convert text to outlines.",
                    )
                )
    if "(" in low:
        for m in CSS_URL.finditer(low):
            target = WS_CTL.sub("", m.group(1) or m.group(2) or m.group(3) or "")
            if not target.startswith("#"):
                found.append(reference_problem(target, "url()"))
        for m in _CSS_FETCH.finditer(low):
            found.append(
                (
                    "svg.external_reference",
                    f"The CSS function {m.group(1)}() loads another file and isn't allowed.",
                )
            )
    compact = WS_CTL.sub("", low)
    m = _CSS_SCRIPT.search(compact)
    if m:
        found.append(("svg.script", f"CSS that runs code ({m.group()}) isn't allowed."))
    return found


def reference_problem(target: str, how: str) -> tuple[str, str]:
    low = target.lower()
    if SCRIPT_URL.match(low):
        return ("svg.javascript_url", f"A javascript: link ({how}) isn't allowed in a logo.")
    if low.startswith("data:"):
        return (
            "svg.data_url",
            f"A data: URL ({how}, {low[5:40] or 'empty'}) isn't allowed here; only PNG, JPEG, GIF "
            'or WebP pictures can be embedded, with <image href="data:image/png;base64,…">.',
        )
    shown = target[:80] or "(empty)"
    return (
        "svg.external_reference",
        f"The reference {how} “{shown}” points outside the file. Everything must be inside the SVG "
        "(references like #gradient1 are fine).",
    )
