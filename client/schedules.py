"""The IMAP door: a Temporal Schedule that starts one mailbox poll every few seconds.

A Schedule rather than a polling process: Temporal keeps the timer, every poll is a
run to inspect in the UI, and nothing else has to stay up. Overlap `SKIP` keeps a
slow poll from being joined by a second one reading the same messages; the catch-up
window of one interval means a Temporal outage is followed by one poll, not one per
missed interval (each poll reads everything unseen anyway).

Writing the schedule is idempotent: it is created, or updated in place with the
current settings, keeping whether an operator paused it.
"""

import dataclasses
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from client.options import route_options, triage_options
from config.doors import InboundSettings
from config.settings import TriageSettings
from models.mailbox import MailboxPollInput
from workflows.mailbox_poll import MailboxPollWorkflow

SCHEDULE_ID = "mailbox-poll"


def mailbox_schedule(inbound: InboundSettings, triage: TriageSettings, task_queue: str) -> Schedule:
    every = timedelta(seconds=inbound.imap_poll_seconds)
    return Schedule(
        action=ScheduleActionStartWorkflow(
            MailboxPollWorkflow.run,
            MailboxPollInput(
                options=triage_options(triage),
                batch=inbound.imap_batch,
                routing=route_options(inbound, triage),
            ),
            id=SCHEDULE_ID,
            task_queue=task_queue,
            static_summary="Support mailbox poll",
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=every),
    )


async def write_schedule(client: Client, schedule: Schedule) -> bool:
    """Create the `mailbox-poll` schedule, or update it; True when it was created."""
    try:
        await client.create_schedule(SCHEDULE_ID, schedule)
        return True
    except ScheduleAlreadyRunningError:

        def updated(current: ScheduleUpdateInput) -> ScheduleUpdate:
            state = current.description.schedule.state
            return ScheduleUpdate(schedule=dataclasses.replace(schedule, state=state))

        await client.get_schedule_handle(SCHEDULE_ID).update(updated)
        return False
