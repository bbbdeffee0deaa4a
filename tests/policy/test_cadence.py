"""The outreach cadence as plain functions: due times, follow-up numbering and the plan."""

from datetime import UTC, datetime, timedelta

from models.common import SendResult
from models.outreach import BusinessHours, OutreachOptions, PlannedTouch, SentTouch
from policy.cadence import first_touch, follow_ups, next_follow_up, plan

BERLIN = OutreachOptions(hours=BusinessHours(timezone="Europe/Berlin"))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def sent(number: int, at: datetime) -> SentTouch:
    return SentTouch(
        number=number,
        kind="first" if number == 1 else "follow_up",
        subject="s",
        body="b",
        source="agent",
        sent_at=at,
        result=SendResult(message_id=f"<{number}@x>", transport="maildir", duplicate=False),
    )


def test_first_touch_keeps_the_lead_time_and_lands_in_business_hours():
    # Friday 16:30 Berlin (15:30 UTC): one hour of lead time passes closing, so Monday 09:00
    planned = first_touch(utc(2026, 11, 27, 15, 30), BERLIN)
    assert planned == PlannedTouch(number=1, kind="first", due_at=utc(2026, 11, 30, 8, 0))


def test_follow_ups_count_business_days_from_the_first_touch():
    first = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 Berlin
    due = [p.due_at for p in follow_ups(first, first, 2, BERLIN)]
    # 3 business days: Monday; 7 business days: Friday of the next week
    assert due == [utc(2026, 11, 30, 9, 0), utc(2026, 12, 4, 9, 0)]
    assert [p.number for p in follow_ups(first, first, 2, BERLIN)] == [2, 3]


def test_a_late_touch_pushes_the_next_one_back_instead_of_bunching():
    first = utc(2026, 11, 25, 9, 0)
    second_sent_late = utc(2026, 12, 4, 8, 0)  # touch 2 went out on the day touch 3 was due
    [third] = follow_ups(first, second_sent_late, 3, BERLIN)
    assert third.number == 3 and third.due_at == utc(2026, 12, 7, 8, 0)


def test_next_follow_up_follows_what_was_sent_and_ends_with_the_offsets():
    first = utc(2026, 11, 25, 9, 0)
    touches = [sent(1, first)]
    assert next_follow_up([], BERLIN) is None
    second = next_follow_up(touches, BERLIN)
    assert second is not None and second.number == 2
    touches.append(sent(2, second.due_at))
    third = next_follow_up(touches, BERLIN)
    assert third is not None and third.number == 3
    touches.append(sent(3, third.due_at))
    assert next_follow_up(touches, BERLIN) is None


def test_plan_before_the_first_touch_anchors_on_its_due_time():
    due = utc(2026, 11, 30, 8, 0)
    shown = plan(PlannedTouch(number=1, kind="first", due_at=due), [], BERLIN)
    assert [(p.number, p.kind) for p in shown] == [(1, "first"), (2, "follow_up"), (3, "follow_up")]
    assert shown[1].due_at == utc(2026, 12, 3, 8, 0)
    assert plan(None, [], BERLIN) == []


def test_plan_and_the_wait_agree_on_every_due_time():
    first = utc(2026, 11, 25, 9, 0)
    touches = [sent(1, first)]
    upcoming = next_follow_up(touches, BERLIN)
    assert upcoming is not None
    shown = plan(upcoming, touches, BERLIN)
    touches.append(sent(2, upcoming.due_at))
    assert shown[1] == next_follow_up(touches, BERLIN)


def test_a_rescheduled_touch_moves_the_rest_of_the_plan():
    first = utc(2026, 11, 25, 9, 0)
    moved = PlannedTouch(number=2, kind="follow_up", due_at=utc(2026, 12, 9, 9, 0))
    shown = plan(moved, [sent(1, first)], BERLIN)
    assert shown[1].due_at - moved.due_at >= timedelta(days=1)
