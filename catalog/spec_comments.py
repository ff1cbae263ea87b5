"""Where staff may comment on a spec, and those comments as people read them.

Pure: a definition (or a revision already read) in, paths and words out; no query.
"""


def comment_paths(definition: dict) -> list[tuple[str, str]]:
    """Where staff may leave a comment: (path, words), in the order of the spec."""
    paths = [("mode", "Mode"), ("authentication", "Authentication")]
    for setting in definition.get("settings", []):
        paths.append((f"settings.{setting['key']}", f"Setting “{setting['key']}”"))
    for action in definition.get("actions", []):
        paths.append((f"actions.{action['key']}", f"Action “{action['key']}”"))
        for item in action.get("fields", []):
            paths.append(
                (
                    f"actions.{action['key']}.fields.{item['key']}",
                    f"Field “{item['key']}” of “{action['key']}”",
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
