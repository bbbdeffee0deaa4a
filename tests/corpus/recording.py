"""A stand-in for the Temporal client where the corpus only needs to see what a door
would start: it records each start, as the server would take it."""

from types import SimpleNamespace
from typing import Any


class RecordingClient:
    def __init__(self) -> None:
        self.starts: list[tuple[str, Any]] = []

    async def start_workflow(self, run: object, arg: Any, *, id: str, **_: object) -> Any:  # noqa: A002
        self.starts.append((id, arg))
        return SimpleNamespace(id=id)
