"""Characters that hide, reorder or corrupt text: pure checks shared by every form and service.

* ``unsafe_in_text``: free text (spec labels and descriptions, comments). Refuses control
  characters other than tab and newlines, lone surrogates (PostgreSQL and UTF-8 refuse them) and
  bidi embeddings, overrides and isolates (they make text read differently from what it says).
* ``unsafe_in_name``: names and addresses people are told apart by (company, person, integration,
  email). Also refuses zero-width and other invisible characters and U+FFFD, the replacement
  character a browser's wrongly encoded input turns into.
* ``unsafe_in_lines``: what ``unsafe_in_name`` refuses, except tab and line breaks: free text that
  must show exactly what it says, such as a reviewer's comments.
* ``mixed_scripts``: Latin mixed with Cyrillic or Greek letters in one word-set, the usual way to
  spell a lookalike of a known name (“Асme” with a Cyrillic А and с).

Each returns ``None`` when the text is fine, or words naming the first offending character
(``U+202E RIGHT-TO-LEFT OVERRIDE``) for the message.
"""

import re
import unicodedata

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATE = "\ud800-\udfff"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u2060-\u2064\u3164\ufeff\ufffd"

_UNSAFE_TEXT = re.compile(f"[{_CONTROL}{_SURROGATE}{_BIDI}]")
_UNSAFE_NAME = re.compile(f"[{_CONTROL}{_SURROGATE}{_BIDI}{_INVISIBLE}\t\n\r]")
_UNSAFE_LINES = re.compile(f"[{_CONTROL}{_SURROGATE}{_BIDI}{_INVISIBLE}]")
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def describe(ch: str) -> str:
    if "\ud800" <= ch <= "\udfff":
        return f"U+{ord(ch):04X}, half of a broken character"
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'CONTROL CHARACTER')}"


def unsafe_in_text(text: str) -> str | None:
    match = _UNSAFE_TEXT.search(text or "")
    return describe(match.group()) if match else None


def scrub(text: str) -> str:
    """``text`` safe to quote in a message: each unsafe-in-text character becomes U+FFFD."""
    return _UNSAFE_TEXT.sub("\ufffd", text or "")


def unsafe_in_name(text: str) -> str | None:
    match = _UNSAFE_NAME.search(text or "")
    return describe(match.group()) if match else None


def unsafe_in_lines(text: str) -> str | None:
    match = _UNSAFE_LINES.search(text or "")
    return describe(match.group()) if match else None


def mixed_scripts(text: str) -> list[str]:
    """The lookalike scripts whose letters ``text`` mixes (``["Latin", "Cyrillic"]``), or []."""
    found = set()
    for ch in text or "":
        if ch.isalpha():
            found.add(unicodedata.name(ch, "").split(" ", 1)[0])
    mixed = [script.title() for script in _LOOKALIKE_SCRIPTS if script in found]
    return mixed if len(mixed) > 1 else []


def hidden_text_problem(
    text: str, what: str, *, lookalikes: bool = True, lines: bool = False
) -> str | None:
    """The message for a name or address that hides text, or (with ``lookalikes``) mixes
    alphabets to imitate one, or None. ``what`` names it for the person (“The name”). With
    ``lines`` the text may hold tabs and line breaks (a comment), nothing else invisible."""
    problem = unsafe_in_lines(text) if lines else unsafe_in_name(text)
    if problem:
        return (
            f"{what} contains an invisible or control character ({problem}). "
            "Type it again without it."
        )
    mixed = mixed_scripts(text) if lookalikes else []
    if mixed:
        alphabets = ", ".join(mixed[:-1]) + " and " + mixed[-1]
        return (
            f"{what} mixes {alphabets} letters, which look alike (a way to imitate another "
            "name). Write it in one alphabet."
        )
    return None
