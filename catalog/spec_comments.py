"""Where staff may comment on a spec, and those comments as people read them.

Pure: a definition (or a revision already read) in, paths and words out; no query.
"""


def _named(part: dict, words_key: str) -> str:
    """“Label” (key) as people read it; the key alone when the label says nothing more."""
    key, words = str(part.get("key", "")), str(part.get(words_key) or "").strip()
    return f"“{words}” ({key})" if words and words != key else f"“{key}”"


def comment_paths(definition: dict) -> list[tuple[str, str]]:
    """Where staff may leave a comment: (path, words), in the order of the spec. The path is
    how the comment is stored; the words (the part's label, with its key) are what pages and
    emails show."""
    paths = [("mode", "Mode"), ("authentication", "Authentication")]
    for setting in definition.get("settings", []):
        paths.append((f"settings.{setting['key']}", f"Setting {_named(setting, 'label')}"))
    for action in definition.get("actions", []):
        action_words = _named(action, "title")
        paths.append((f"actions.{action['key']}", f"Action {action_words}"))
        for item in action.get("fields", []):
            paths.append(
                (
                    f"actions.{action['key']}.fields.{item['key']}",
                    f"Field {_named(item, 'label')} of action {action_words}",
                )
            )
    paths.append(("presets", "Presets"))
    return paths


def comment_rows(revision) -> list[tuple[str, str]]:
    """A reviewed revision's comments on its parts: (words, text), for reading."""
    if revision is None or not revision.field_comments:
        return []
    words = dict(comment_paths(revision.definition))
    return [(words.get(path, path), text) for path, text in revision.field_comments.items()]
