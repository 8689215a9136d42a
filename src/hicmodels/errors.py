"""Exceptions the CLI reports in one line: bad input (InputError), outputs not written (OutputError)."""


class InputError(ValueError):
    """Input that cannot be used as given.

    The message names the file and, where there is one, the line or record.
    """

    def __init__(self, message, path=None, line=None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")


class OutputError(OSError):
    """An output that could not be written (disk full, quota): nothing was left under its name.

    The message names the file; an ``OSError``, so handlers of ``OSError`` still see it.
    """

    def __init__(self, message, path):
        super().__init__(f"{path}: {message}")
