"""Workflows call the contracts in `models.activities`; the worker runs the classes in
`activities/`. A contract that drifts from its implementation (a renamed activity, a
changed argument or result type) would fail only at run time, in a worker; here it
fails in the suite."""

import inspect
import subprocess
import sys
import typing
from collections.abc import Callable
from pathlib import Path

import pytest
from temporalio import activity

from activities.imap import MailboxActivities
from activities.lead_intake import LeadIntakeActivities
from activities.mail_routing import MailRoutingActivities
from activities.outreach import OutreachActivities
from activities.review import ReviewActivities
from activities.support_triage import SupportTriageActivities
from models import activities as contracts

ROOT = Path(__file__).parents[2]

CLASSES = [
    LeadIntakeActivities, SupportTriageActivities, OutreachActivities, MailRoutingActivities,
    ReviewActivities, MailboxActivities,
]  # fmt: skip


def named(members: list[Callable]) -> dict[str, Callable]:
    found = {}
    for member in members:
        definition = activity._Definition.from_callable(member)
        if definition is not None and definition.name is not None:
            found[definition.name] = member
    return found


CONTRACTS = named([f for _, f in inspect.getmembers(contracts, inspect.iscoroutinefunction)])
IMPLEMENTED = named([m for cls in CLASSES for m in object.__new__(cls).definitions()])
"""What each class hands the worker (`definitions()`), not merely what it decorates."""


def signature(function: Callable) -> tuple[list[object], object]:
    hints = typing.get_type_hints(function, vars(sys.modules[function.__module__]))
    returns = hints.pop("return")
    return list(hints.values()), returns


def test_every_activity_the_worker_runs_has_a_contract_and_no_contract_is_orphaned() -> None:
    assert len(CONTRACTS) >= 20
    assert set(CONTRACTS) == set(IMPLEMENTED)


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_a_contract_takes_and_returns_what_its_implementation_does(name: str) -> None:
    assert signature(CONTRACTS[name]) == signature(IMPLEMENTED[name])


def test_the_workflows_load_no_activity_adapter_agent_or_client_library() -> None:
    """What a workflow module imports, the sandbox loads for every run: models, policy and
    the SDK, never an adapter, the LLM client or an HTTP client."""
    probe = (
        "import sys, workflows.runtime.registry; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert {"workflows", "models", "policy"} <= set(loaded)
    assert not {"activities", "adapters", "agents", "config", "openai", "httpx"} & set(loaded)
