"""A process's start: logging set up, and settings loaded, the same way in the worker
and every door.

A person starting a process with several bad variables should see all of them at once,
each named, none echoed (a value may be a secret), and the process should exit 2
before it connects to anything.
"""

import logging
import sys
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from config.errors import problems


def load_or_exit(*groups: type[BaseSettings]) -> tuple[Any, ...]:
    """One instance per group, in order, or exit 2 listing every bad variable."""
    loaded: list[BaseSettings] = []
    bad: list[str] = []
    for group in groups:
        try:
            loaded.append(group())
        except ValidationError as err:
            prefix = str(group.model_config.get("env_prefix", ""))
            bad += problems(err, field_prefix=prefix, upper=True)
    if bad:
        print("invalid configuration:\n  " + "\n  ".join(bad), file=sys.stderr)
        raise SystemExit(2)
    return tuple(loaded)


def start_logging() -> None:
    """One line per record, naming the logger, in every process of the project."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
