class ApplicationError(Exception):
    """A refused action: the message is written for the person who asked.

    ``field`` names the form field it belongs to (or None for the whole form); ``items`` carries
    structured details such as failing gate items.
    """

    def __init__(self, message: str, *, field: str | None = None, items=None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.items = items or []
        self.status = status


class PermissionDeniedError(ApplicationError):
    def __init__(self, message: str = "You do not have permission to do that."):
        super().__init__(message, status=403)
