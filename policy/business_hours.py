"""When a touch may land: the next business-hours slot in the lead's time zone.

Pure functions over aware datetimes, used inside the workflow (with `workflow.now()`)
and in tests. Wall-clock hours come from the IANA zone, so a slot is 09:00 local on
both sides of a DST change even though its UTC time moves. Weekends are skipped;
public holidays are not known here.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.outreach import BusinessHours

WEEKEND = (5, 6)


def _at(day: datetime, hour: int, zone: ZoneInfo) -> datetime:
    """`hour`:00 local on `day`'s date, in UTC (24 means the next midnight)."""
    local = datetime.combine(day.date() + timedelta(days=hour // 24), time(hour % 24), zone)
    return local.astimezone(UTC)


def next_slot(after: datetime, hours: BusinessHours) -> datetime:
    """The first moment at or after `after` inside business hours, in UTC."""
    zone = ZoneInfo(hours.timezone)
    moment = after.astimezone(UTC)
    local = moment.astimezone(zone)
    for _ in range(8):
        if local.weekday() not in WEEKEND:
            opens, closes = _at(local, hours.start_hour, zone), _at(local, hours.end_hour, zone)
            if moment < opens:
                return opens
            if moment < closes:
                return moment
        local = datetime.combine(local.date() + timedelta(days=1), time(0), zone)
        moment = local.astimezone(UTC)
    raise AssertionError("a week always has a business day")


def add_business_days(start: datetime, days: int, hours: BusinessHours) -> datetime:
    """`days` weekdays after `start`, same local time of day, moved into business hours."""
    zone = ZoneInfo(hours.timezone)
    local = start.astimezone(zone)
    day = local.date()
    left = days
    while left:
        day += timedelta(days=1)
        if day.weekday() not in WEEKEND:
            left -= 1
    target = datetime.combine(day, local.time().replace(tzinfo=None), zone)
    return next_slot(target, hours)


def local_label(moment: datetime, timezone: str) -> str:
    """`Mon 2026-11-30 09:00 CET`: a moment as the lead would read it."""
    return f"{moment.astimezone(ZoneInfo(timezone)):%a %Y-%m-%d %H:%M %Z}"
