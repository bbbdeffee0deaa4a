"""Replays recorded histories against today's workflow code to catch non-determinism."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS

HISTORIES = sorted((Path(__file__).parents[1] / "histories").glob("*.json"))


def test_histories_are_present():
    assert {p.stem for p in HISTORIES} >= {
        "lead_intake_happy",
        "lead_intake_fallbacks",
        "lead_intake_v1_happy",
        "lead_intake_v1_fallbacks",
        "support_auto_sent",
        "support_approved",
        "support_sla_escalated",
        "support_classifier_down",
        "support_closed_automatic",
        "outreach_cadence",
        "outreach_continued_as_new",
        "outreach_approved_then_replied",
        "support_v1_auto_sent",
        "support_v1_approved",
        "support_v1_sla_escalated",
        "support_v1_classifier_down",
        "outreach_v1_cadence",
        "outreach_v1_continued_as_new",
        "outreach_v1_approved_then_replied",
        "support_auto_reply_limited",
        "support_budget_spent",
        "outreach_budget_spent",
        "support_uncovered_approved",
        "support_answered_auto_sent",
        "outreach_paused_then_resumed",
        "outreach_quoted_approved",
    }


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays_without_nondeterminism(path: Path):
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        plugins=[worker_plugin()],
    )
    recorded_id = path.stem.replace("_v1_", "_")  # v1 files were renamed, not re-recorded
    history = WorkflowHistory.from_json(recorded_id, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
