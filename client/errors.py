"""One kind of refusal, so every door can tell a person's mistake from a broken system.

Whatever a person can fix by changing what they gave (a field, a file, a time) is an
`InputError`: the CLI turns it into exit status 2 and plain lines, never a traceback.
"""

from typing import Any

from pydantic import ValidationError

from config.errors import problems


class InputError(Exception):
    """Input refused before any workflow starts; the message says what is wrong."""


def validated(model: type, fields: dict[str, Any], what: str) -> Any:
    """Pydantic's report is long and echoes the input (which may be a secret); a person
    at a terminal gets one line per field instead."""
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        raise InputError(f"invalid {what}:\n  " + "\n  ".join(problems(err))) from err
