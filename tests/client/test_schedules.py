"""The mailbox-poll schedule on the real dev server: written once, rewritten in place."""

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from temporalio.client import ScheduleActionStartWorkflow, ScheduleOverlapPolicy
from temporalio.testing import WorkflowEnvironment

from client.schedules import SCHEDULE_ID, mailbox_schedule, write_schedule
from config.doors import InboundSettings
from config.settings import TriageSettings

ROOT = Path(__file__).resolve().parents[2]


def settings(poll_seconds: int) -> InboundSettings:
    return InboundSettings(
        imap_host="imap.example", imap_username="support", imap_password=SecretStr("pw"),
        imap_poll_seconds=poll_seconds,
    )  # fmt: skip


async def test_the_schedule_is_created_then_updated_keeping_a_pause(
    dev_env: WorkflowEnvironment, task_queue: str
):
    client = dev_env.client
    handle = client.get_schedule_handle(SCHEDULE_ID)
    try:
        created = await write_schedule(
            client, mailbox_schedule(settings(60), TriageSettings(), task_queue)
        )
        await handle.pause(note="mailbox moved")
        rewritten = await write_schedule(
            client, mailbox_schedule(settings(120), TriageSettings(), task_queue)
        )
        described = (await handle.describe()).schedule
    finally:
        await handle.delete()

    assert (created, rewritten) == (True, False)
    assert [i.every for i in described.spec.intervals] == [timedelta(seconds=120)]
    assert described.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert described.policy.catchup_window == timedelta(seconds=120)
    assert described.state.paused
    action = described.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert (action.workflow, action.id, action.task_queue) == (
        "MailboxPollWorkflow",
        SCHEDULE_ID,
        task_queue,
    )


async def test_the_command_writes_the_schedule_and_needs_a_mailbox(
    dev_env: WorkflowEnvironment, task_queue: str
):
    env = os.environ | {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "TEMPORAL_TASK_QUEUE": task_queue,
    }
    unset = await asyncio.to_thread(command, env | {"FLOWDESK_INBOUND_IMAP_HOST": ""})
    try:
        written = await asyncio.to_thread(
            command,
            env
            | {
                "FLOWDESK_INBOUND_IMAP_HOST": "imap.example",
                "FLOWDESK_INBOUND_IMAP_USERNAME": "support",
                "FLOWDESK_INBOUND_IMAP_PASSWORD": "pw",
            },
        )
    finally:
        await dev_env.client.get_schedule_handle(SCHEDULE_ID).delete()

    assert unset.returncode == 2 and "FLOWDESK_INBOUND_IMAP_HOST" in unset.stderr
    assert written.returncode == 0 and f"schedule {SCHEDULE_ID} created" in written.stdout


def command(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inbound", "schedule"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
