"""When each outreach touch is due: the first at a business-hours slot, follow-ups on
business-day offsets from it.

One place for the arithmetic the workflow waits on and the plan it shows people, so
the two cannot disagree. Touch 1 is the first touch; touch `n` >= 2 is follow-up
`n - 1`, due `follow_up_business_days[n - 2]` business days after the first touch went
out, and at least one business day after the touch before it (a late or rescheduled
touch pushes the rest back instead of bunching them). Pure functions over aware
datetimes: safe inside the workflow and tested without Temporal.
"""

from datetime import datetime

from models.outreach import OutreachOptions, PlannedTouch, SentTouch
from policy.business_hours import add_business_days, local_label, next_slot


def first_touch(now: datetime, options: OutreachOptions) -> PlannedTouch:
    """The first slot after `min_lead_time`, the window in which a person can still stop it."""
    due = next_slot(now + options.min_lead_time, options.hours)
    return PlannedTouch(number=1, kind="first", due_at=due)


def follow_ups(
    anchor: datetime, previous: datetime, first_number: int, options: OutreachOptions
) -> list[PlannedTouch]:
    """Touches `first_number` onwards, for a first touch at `anchor` and a touch before
    `first_number` at `previous`."""
    offsets, hours = options.follow_up_business_days, options.hours
    planned: list[PlannedTouch] = []
    for number in range(max(first_number, 2), len(offsets) + 2):
        due = max(
            add_business_days(anchor, offsets[number - 2], hours),
            add_business_days(previous, 1, hours),
        )
        planned.append(PlannedTouch(number=number, kind="follow_up", due_at=due))
        previous = due
    return planned


def next_follow_up(sent: list[SentTouch], options: OutreachOptions) -> PlannedTouch | None:
    """The follow-up after the touches sent so far; None when the cadence is done."""
    if not sent:
        return None
    upcoming = follow_ups(sent[0].sent_at, sent[-1].sent_at, len(sent) + 1, options)
    return upcoming[0] if upcoming else None


def plan(
    next_touch: PlannedTouch | None, sent: list[SentTouch], options: OutreachOptions
) -> list[PlannedTouch]:
    """The next touch and the follow-ups after it, as they stand now (shown to people)."""
    if next_touch is None:
        return []
    anchor = sent[0].sent_at if sent else next_touch.due_at
    later = follow_ups(anchor, next_touch.due_at, next_touch.number + 1, options)
    return [next_touch, *later]


def plan_note(planned: list[PlannedTouch], timezone: str) -> str:
    """The plan as the run's current details show it in the UI, in the lead's local time."""
    return "\n".join(
        f"**next**: touch {p.number} ({p.kind.replace('_', '-')}) {local_label(p.due_at, timezone)}"
        for p in planned
    )
