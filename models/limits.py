"""Abuse and cost limits the workers enforce, with their defaults (settings name them in
the environment, `config/limits.py`).

They are worker policy, not run options: every worker must count against the same
numbers, and a limit lowered during an incident applies to running tickets at once.
What a run may spend on the model is per run (`token_budget` in `TriageOptions` and
`OutreachOptions`), since it is fixed when the run starts.
"""

from datetime import timedelta

from pydantic import Field

from models.common import Strict

AUTO_REPLY_LIMIT = "AutoReplyLimit"
"""The failure type of an automatic reply the limits refuse: the ticket goes to a person."""
LLM_RATE_LIMITED = "LlmRateLimited"
"""The failure type of an agent step that waited too long for the endpoint's minute."""


def span(window: timedelta) -> str:
    """`24 h`, `90 min`: how a window reads in a decision-log reason."""
    minutes = int(window.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


class AutoReplyLimits(Strict):
    """Replies sent without a person, counted over all workers in the CRM database.

    Per address: one customer (or a loop with another auto-responder) cannot draw more
    than a few answers a day. Per domain: a flood of forged senders at one company
    cannot turn us into a mail cannon aimed at it. Consumer mail domains (gmail.com and
    the other free-mail providers lead scoring knows) count per address only: their
    users are unrelated people, and one busy hour of theirs must not hold everyone
    else's answer."""

    per_address: int = Field(default=3, ge=1)
    address_window: timedelta = timedelta(hours=24)
    per_domain: int = Field(default=20, ge=1)
    domain_window: timedelta = timedelta(hours=1)


class LlmRate(Strict):
    """Tokens per minute for one LLM endpoint, shared by every worker through the CRM
    database. An agent step reserves `reserve_tokens` before it starts (its usage is not
    known yet) and is settled to the tokens it reports when it returns."""

    tokens_per_minute: int = Field(
        default=100_000, ge=0, description="0 turns the limit off (an endpoint without one)"
    )
    reserve_tokens: int = Field(
        default=4_000, ge=1, description="Held per agent step until its usage is known"
    )
    window: timedelta = Field(default=timedelta(minutes=1), description="Tests shorten it")
