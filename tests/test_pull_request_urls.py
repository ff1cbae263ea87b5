"""parse_pull_request_url accepts only https://github.com/<owner>/<repo>/pull/<n> on the repo."""

import pytest

from catalog.validation.urls import check_video_url, parse_pull_request_url

REPO = "https://github.com/segmentio/action-destinations"


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/segmentio/action-destinations/pull/1234",
        "https://github.com/segmentio/action-destinations/pull/1234/",
        "  https://github.com/segmentio/action-destinations/pull/1234  ",
        "HTTPS://GitHub.com/SegmentIO/Action-Destinations/pull/1234",
    ],
)
def test_pull_request_link_on_the_repository_is_accepted_and_canonical(url):
    result = parse_pull_request_url(url, REPO)
    assert result.ok, result.error
    assert (result.owner, result.repo, result.number) == ("segmentio", "action-destinations", 1234)
    assert result.url == "https://github.com/segmentio/action-destinations/pull/1234"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "empty"),
        (None, "empty"),
        (12, "empty"),
        ("http://github.com/segmentio/action-destinations/pull/1", "not_https"),
        ("ftp://github.com/segmentio/action-destinations/pull/1", "not_https"),
        ("javascript:alert(1)//github.com/segmentio/action-destinations/pull/1", "not_https"),
        ("//github.com/segmentio/action-destinations/pull/1", "not_https"),
        ("https://github.com.evil.example/segmentio/action-destinations/pull/1", "wrong_host"),
        ("https://evilgithub.com/segmentio/action-destinations/pull/1", "wrong_host"),
        ("https://www.github.com/segmentio/action-destinations/pull/1", "wrong_host"),
        ("https://gist.github.com/segmentio/action-destinations/pull/1", "wrong_host"),
        ("https://github.com@evil.example/segmentio/action-destinations/pull/1", "userinfo"),
        ("https://user:pw@github.com/segmentio/action-destinations/pull/1", "userinfo"),
        ("https://user@github.com/segmentio/action-destinations/pull/1", "userinfo"),
        ("https://github.com:443/segmentio/action-destinations/pull/1", "port"),
        ("https://github.com:8080/segmentio/action-destinations/pull/1", "port"),
        ("https://github.com:/segmentio/action-destinations/pull/1", "port"),
        ("https://github.com:x/segmentio/action-destinations/pull/1", "invalid"),
        ("https://github.com/segmentio/action-destinations/pull/1?next=https://evil", "query"),
        ("https://github.com/segmentio/action-destinations/pull/1?", "query"),
        ("https://github.com/segmentio/action-destinations/pull/1#top", "fragment"),
        ("https://github.com/segmentio/action-destinations/pull/1/files", "not_pull_request"),
        ("https://github.com/segmentio/action-destinations/issues/1", "not_pull_request"),
        ("https://github.com/segmentio/action-destinations/commit/abc", "not_pull_request"),
        ("https://github.com/segmentio/action-destinations", "not_pull_request"),
        ("https://github.com/segmentio/action-destinations/pull/../pull/1", "not_pull_request"),
        ("https://github.com/segmentio//action-destinations/pull/1", "not_pull_request"),
        ("https://github.com/segmentio/action-destinations/pull/1%2F..", "forbidden_character"),
        ("https://github.com/segmentio\\action-destinations/pull/1", "forbidden_character"),
        ("https://github.com/segmentio/action-destinations/pull/1\n", "ok-after-strip"),
        ("https://github.com/segmentio/action-destinations/pu ll/1", "forbidden_character"),
        ("https://github.com/segmentio/action-destinations/pull/1\x00", "forbidden_character"),
        ("https://gіthub.com/segmentio/action-destinations/pull/1", "non_ascii"),  # Cyrillic і
        ("https://github.com/other/action-destinations/pull/1", "wrong_repository"),
        ("https://github.com/segmentio/segment-docs/pull/1", "wrong_repository"),
        ("https://github.com/segmentio/action-destinations/pull/0", "bad_number"),
        ("https://github.com/segmentio/action-destinations/pull/01", "bad_number"),
        ("https://github.com/segmentio/action-destinations/pull/-1", "bad_number"),
        ("https://github.com/segmentio/action-destinations/pull/1e3", "bad_number"),
        ("https://github.com/segmentio/action-destinations/pull/99999999999", "bad_number"),
        ("https://github.com/segmentio/action-destinations/pull/" + "1" * 600, "too_long"),
    ],
)
def test_hostile_or_wrong_pull_request_links_are_refused_with_a_code(url, code):
    result = parse_pull_request_url(url, REPO)
    if code == "ok-after-strip":
        assert result.ok
        return
    assert not result.ok
    assert result.error.code == code, result.error
    assert result.error.message
    assert result.url == "" and result.number == 0


def test_docs_repository_link_is_checked_against_the_docs_repository():
    docs = "https://github.com/segmentio/segment-docs"
    assert parse_pull_request_url("https://github.com/segmentio/segment-docs/pull/7", docs).ok
    refused = parse_pull_request_url(
        "https://github.com/segmentio/action-destinations/pull/7", docs
    )
    assert refused.error.code == "wrong_repository"
    assert "segment-docs" in refused.error.message


def test_wrong_repository_message_says_which_repository_to_use():
    result = parse_pull_request_url("https://github.com/acme/fork/pull/3", REPO)
    assert "https://github.com/segmentio/action-destinations" in result.error.message


@pytest.mark.parametrize(
    "url", ["https://www.loom.com/share/abc123", "https://youtu.be/dQw4w9WgXcQ"]
)
def test_https_video_links_are_accepted(url):
    assert check_video_url(url) is None


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "empty"),
        ("http://www.loom.com/share/abc", "not_https"),
        ("javascript:alert(1)", "not_https"),
        ("https://localhost/x", "invalid"),
        ("https://a b.com/", "forbidden_character"),
        ("https://user@loom.com/x", "invalid"),
    ],
)
def test_bad_video_links_are_refused(url, code):
    assert check_video_url(url).code == code
