"""The domain error that services raise and views turn into a message."""


class DomainError(Exception):
    """A rule was broken; ``message`` is written for the person who tried.

    ``field`` names the form field at fault, when there is one, so the view can attach
    the message to it in the error summary.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
