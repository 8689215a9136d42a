"""The one exception type for bad input, so the CLI can report it without a traceback."""


class InputError(ValueError):
    """Input that cannot be used as given.

    The message names the file and, where there is one, the line or record.
    """

    def __init__(self, message, path=None, line=None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
