"""Errors that adapters raise; activity wrappers map `Permanent` to non-retryable failures."""


class Permanent(Exception):
    """Retrying cannot fix this (bad input, refused URL, 4xx from a provider).

    `kind` becomes the `ApplicationError` type, so the workflow and the UI can tell
    causes apart without parsing messages.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Transient(Exception):
    """Worth retrying (timeouts, 5xx, connection refused): Temporal's retry policy decides."""
