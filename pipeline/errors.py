"""Errors a user can act on: each names the file (and line, where there is one)."""


class FazhiError(Exception):
    """Base of the errors fazhi reports to users instead of a traceback."""


class InputError(FazhiError):
    """An input cannot be read: wrong encoding, format, size, or content."""
