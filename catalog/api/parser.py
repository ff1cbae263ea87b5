"""JSON request bodies read by the same guarded parser as spec uploads: bounded size and depth,
no duplicate keys, no NaN; a body that isn't JSON is a 400 with the reason, never a 500."""

from ninja.parser import Parser

from catalog.errors import BadRequest
from catalog.validation.spec import parse_json


class SafeJsonParser(Parser):
    def parse_body(self, request):
        content_type = request.content_type or ""
        if content_type != "application/json":
            raise BadRequest(
                f"Send this request's body as JSON (Content-Type: application/json), "
                f"not {content_type[:60] or 'no content type'}."
            )
        data, errors = parse_json(request.body)
        if errors:
            raise BadRequest(errors[0].message.replace("The file", "The body"))
        return data
