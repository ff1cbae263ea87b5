"""Pull-request and video links: pure parsing, no network, no database.

``parse_pull_request_url(url, repository)`` accepts exactly
``https://github.com/<owner>/<repo>/pull/<number>`` (an optional trailing slash) on the configured
repository and returns its parts with the canonical spelling, or one structured error that says
what is wrong and how to fix it. Anything that could make the link point somewhere else is
refused: other schemes, lookalike hosts, user info, ports, queries, fragments, encoded or
backslashed paths, dot segments, control characters and non-ASCII text.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 500
_SEGMENT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})$")
_NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")
_FORBIDDEN_CHARS = re.compile(r"[\s\\%<>\"'`{}|^\x00-\x1f\x7f]")


@dataclass(frozen=True)
class UrlError:
    code: str
    message: str
    where: str = "url"


@dataclass(frozen=True)
class PullRequestUrl:
    """The parsed link. ``error`` is set when the link was refused (and the parts are empty)."""

    owner: str = ""
    repo: str = ""
    number: int = 0
    url: str = ""
    error: UrlError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Repository:
    host: str
    owner: str
    repo: str

    @property
    def url(self) -> str:
        return f"https://{self.host}/{self.owner}/{self.repo}"


def parse_repository(repository: str) -> Repository:
    """``https://github.com/<owner>/<repo>`` from settings; a bad setting is a programming error."""
    parts = urlsplit(repository.strip().rstrip("/"))
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme != "https" or not parts.hostname or len(segments) != 2:
        raise ValueError(
            f"Repository setting must look like https://github.com/<owner>/<repo>: {repository!r}"
        )
    return Repository(host=parts.hostname.lower(), owner=segments[0], repo=segments[1])


def _refuse(code: str, message: str) -> PullRequestUrl:
    return PullRequestUrl(error=UrlError(code=code, message=message))


def parse_pull_request_url(url, repository: str) -> PullRequestUrl:
    """Parse a pull-request link that must point at ``repository``."""
    repo = parse_repository(repository)
    example = f"{repo.url}/pull/1234"
    if not isinstance(url, str) or not url.strip():
        return _refuse("empty", f"Paste the pull request link, like {example}.")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        return _refuse("too_long", f"The link is longer than {MAX_URL_LENGTH} characters.")
    if not url.isascii():
        return _refuse(
            "non_ascii",
            "The link contains non-ASCII characters (lookalike letters are refused). "
            f"Paste the address exactly as GitHub shows it, like {example}.",
        )
    bad = _FORBIDDEN_CHARS.search(url)
    if bad:
        shown = repr(bad.group())[1:-1]
        return _refuse(
            "forbidden_character",
            f"The link contains a character that doesn't belong in a pull request address "
            f"(“{shown}”). Paste it exactly as GitHub shows it, like {example}.",
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _refuse("invalid", f"This isn't a valid link. Use one like {example}.")
    if parts.scheme.lower() != "https":
        return _refuse("not_https", f"The link must start with https://, like {example}.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return _refuse("userinfo", "The link must not contain a user name or password.")
    if port is not None or parts.netloc.endswith(":"):
        return _refuse("port", f"The link must not name a port. Use one like {example}.")
    host = (parts.hostname or "").rstrip(".")
    if host != repo.host or parts.netloc.lower().rstrip(".") != repo.host:
        return _refuse(
            "wrong_host",
            f"The link must be on {repo.host} (it points to “{parts.netloc or 'nowhere'}”).",
        )
    if parts.query or url.rstrip("/").endswith("?") or "?" in url:
        return _refuse(
            "query",
            f"Remove the part after “?” from the link. Use the pull request's own address, "
            f"like {example}.",
        )
    if parts.fragment or "#" in url:
        return _refuse(
            "fragment",
            f"Remove the part after “#” from the link. Use the pull request's own address, "
            f"like {example}.",
        )
    path = parts.path
    if path.endswith("/"):
        path = path[:-1]
    segments = path.split("/")[1:] if path.startswith("/") else []
    if len(segments) != 4 or segments[2] != "pull" or any(s in ("", ".", "..") for s in segments):
        return _refuse(
            "not_pull_request",
            f"This isn't a pull request link. It must look like {example} "
            "(not a commit, a branch, a file list or an issue).",
        )
    owner, name, _, number = segments
    if not (_SEGMENT.match(owner) and _SEGMENT.match(name)):
        return _refuse(
            "not_pull_request", f"This isn't a pull request link. Use one like {example}."
        )
    if owner.lower() != repo.owner.lower() or name.lower() != repo.repo.lower():
        return _refuse(
            "wrong_repository",
            f"The pull request must be on {repo.url} (this one is on {owner}/{name}). "
            "Open it against that repository and paste its link.",
        )
    if not _NUMBER.match(number):
        return _refuse("bad_number", f"The pull request number “{number}” isn't a valid number.")
    return PullRequestUrl(
        owner=repo.owner,
        repo=repo.repo,
        number=int(number),
        url=f"{repo.url}/pull/{int(number)}",
    )


def check_video_url(url) -> UrlError | None:
    """A link to a recording (any https host). None when it is acceptable."""
    if not isinstance(url, str) or not url.strip():
        return UrlError("empty", "Add a link to the video.", where="video_url")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        return UrlError(
            "too_long", f"The link is longer than {MAX_URL_LENGTH} characters.", where="video_url"
        )
    if not url.isascii() or re.search(r"[\s\\<>\"'`\x00-\x1f\x7f]", url):
        return UrlError(
            "forbidden_character",
            "The video link contains spaces or characters that don't belong in a link.",
            where="video_url",
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return UrlError("invalid", "This isn't a valid link.", where="video_url")
    if parts.scheme.lower() != "https":
        return UrlError("not_https", "The video link must start with https://.", where="video_url")
    if not parts.hostname or "." not in parts.hostname or "@" in parts.netloc:
        return UrlError(
            "invalid",
            "The video link must name a website, like https://www.loom.com/share/….",
            where="video_url",
        )
    return None
