"""Pure validation of catalog metadata: functions over bytes and strings.

No Django request and no database here. Every refusal or piece of advice is a ``Problem`` with a
stable ``code`` (what rule), a ``message`` written for a busy partner (what to change) and
``where`` (which line, element, attribute or field). The upload form, the services and the
``validate_asset`` / ``validate_metadata`` commands all call these same functions.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    where: str = ""
    line: int | None = None

    def as_dict(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.where:
            out["where"] = self.where
        if self.line is not None:
            out["line"] = self.line
        return out

    def __str__(self) -> str:
        return f"{self.message} ({self.where})" if self.where else self.message


@dataclass
class Report:
    """Errors block; warnings are advice. ``info`` carries measured facts (sizes, shapes)."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    # What the portal stores when the file is accepted (an SVG's canonical re-serialisation);
    # never part of ``as_dict``.
    stored: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, code: str, message: str, where: str = "", line: int | None = None) -> None:
        self.errors.append(Problem(code, message, where, line))

    def warn(self, code: str, message: str, where: str = "", line: int | None = None) -> None:
        self.warnings.append(Problem(code, message, where, line))

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "info": self.info,
        }


def problem_from_dict(data: dict) -> Problem:
    return Problem(
        code=str(data.get("code", "")),
        message=str(data.get("message", "")),
        where=str(data.get("where", "")),
        line=data.get("line"),
    )
