"""Readable validation messages for people at a terminal: one line per problem, field first."""

from pydantic import ValidationError


def problems(err: ValidationError, field_prefix: str = "", upper: bool = False) -> list[str]:
    """`field: message` lines; the offending input is never echoed (it may be a secret)."""
    lines = []
    for problem in err.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        where = where.upper() if upper else where
        lines.append(f"{field_prefix}{where}: {problem['msg']}" if where else problem["msg"])
    return lines
