"""The escalation policy: intents a person always handles, read from `escalation.toml`.

A configuration file, not code, so support leads can read and extend it. It is
validated when the worker starts: a pattern that does not compile, or an example that
its own intent would not catch, stops start-up with the intent's name. Screening is
plain pattern search; it cannot be argued with, and it errs towards a person.
"""

import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.agent_output import Topic
from models.support import IntentMatch

DEFAULT_PATH = Path(__file__).with_name("escalation.toml")
EVIDENCE_CHARS = 80


class Intent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=1)
    action: Literal["person", "no_reply"]
    topic: Topic | None = None
    patterns: list[str] = Field(min_length=1)
    examples: list[str] = Field(min_length=1)

    @cached_property
    def compiled(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.I | re.M) for p in self.patterns]

    @model_validator(mode="after")
    def _examples_match(self) -> "Intent":
        for pattern in self.patterns:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"intent {self.name!r}: pattern {pattern!r}: {err}") from err
        for example in self.examples:
            if self.match(example) is None:
                raise ValueError(f"intent {self.name!r}: example {example!r} matches no pattern")
        return self

    def match(self, text: str) -> str | None:
        """The text that triggered this intent, or None."""
        for pattern in self.compiled:
            if found := pattern.search(text):
                return found.group(0)[:EVIDENCE_CHARS]
        return None


class EscalationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    no_reply_senders: list[str] = Field(default_factory=list)
    intent: list[Intent] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> "EscalationPolicy":
        names = [i.name for i in self.intent]
        if len(names) != len(set(names)):
            raise ValueError("intent names must be unique")
        for pattern in self.no_reply_senders:
            re.compile(pattern)
        return self

    def screen(self, sender: str, text: str) -> list[IntentMatch]:
        """Every intent the mail shows, with the words that showed it."""
        found: list[IntentMatch] = []
        for pattern in self.no_reply_senders:
            if matched := re.search(pattern, sender, re.I):
                evidence = matched.group(0)  # the mailbox name, not the whole address
                found.append(
                    IntentMatch(name="automatic sender", action="no_reply", evidence=evidence)
                )
                break
        for intent in self.intent:
            if (evidence := intent.match(text)) is not None:
                found.append(
                    IntentMatch(
                        name=intent.name,
                        action=intent.action,
                        topic=intent.topic,
                        evidence=evidence,
                    )
                )
        return found


class PolicyError(Exception):
    """The policy file is missing or invalid; the message says where."""


def load_policy(path: Path = DEFAULT_PATH) -> EscalationPolicy:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return EscalationPolicy.model_validate(raw)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise PolicyError(f"{path}: {err}") from err
    except ValueError as err:
        raise PolicyError(f"{path}: {err}") from err
