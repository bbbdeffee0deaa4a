"""Business-hours slots across time zones, weekends and DST changes."""

from datetime import UTC, datetime

import pytest

from models.outreach import BusinessHours
from policy.business_hours import add_business_days, next_slot

BERLIN = BusinessHours(timezone="Europe/Berlin")
NEW_YORK = BusinessHours(timezone="America/New_York")
TOKYO = BusinessHours(timezone="Asia/Tokyo", start_hour=10, end_hour=18)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "hours", "expected"),
    [
        # Wednesday 08:30 UTC is 09:30 in Berlin: already open, send now
        (utc(2026, 11, 25, 8, 30), BERLIN, utc(2026, 11, 25, 8, 30)),
        # the same moment is 03:30 in New York: wait for 09:00 EST (14:00 UTC)
        (utc(2026, 11, 25, 8, 30), NEW_YORK, utc(2026, 11, 25, 14, 0)),
        # and 17:30 in Tokyo: open until 18:00 local
        (utc(2026, 11, 25, 8, 30), TOKYO, utc(2026, 11, 25, 8, 30)),
        # Tokyo after closing: next morning 10:00 JST (01:00 UTC)
        (utc(2026, 11, 25, 9, 0), TOKYO, utc(2026, 11, 26, 1, 0)),
        # Friday 17:00 Berlin is closed: Monday 09:00
        (utc(2026, 11, 27, 16, 0), BERLIN, utc(2026, 11, 30, 8, 0)),
        # Saturday and Sunday go to Monday
        (utc(2026, 11, 28, 12, 0), NEW_YORK, utc(2026, 11, 30, 14, 0)),
        (utc(2026, 11, 29, 23, 0), BERLIN, utc(2026, 11, 30, 8, 0)),
        # Friday 16:59 New York is still open
        (utc(2026, 11, 27, 21, 59), NEW_YORK, utc(2026, 11, 27, 21, 59)),
    ],
)
def test_next_slot(after: datetime, hours: BusinessHours, expected: datetime):
    assert next_slot(after, hours) == expected


def test_spring_forward_keeps_nine_local():
    # Berlin moves to CEST on Sunday 29 March 2026: 09:00 is 08:00 UTC before, 07:00 after
    assert next_slot(utc(2026, 3, 27, 17, 0), BERLIN) == utc(2026, 3, 30, 7, 0)
    assert next_slot(utc(2026, 3, 26, 17, 0), BERLIN) == utc(2026, 3, 27, 8, 0)


def test_fall_back_keeps_nine_local():
    # New York returns to EST on Sunday 1 November 2026: 09:00 is 13:00 UTC, then 14:00
    assert next_slot(utc(2026, 10, 30, 22, 0), NEW_YORK) == utc(2026, 11, 2, 14, 0)
    assert next_slot(utc(2026, 10, 29, 22, 0), NEW_YORK) == utc(2026, 10, 30, 13, 0)


def test_business_days_skip_weekends_and_keep_local_time_across_dst():
    # Thursday 29 October 10:00 EDT + 3 business days = Tuesday 3 November 10:00 EST
    assert add_business_days(utc(2026, 10, 29, 14, 0), 3, NEW_YORK) == utc(2026, 11, 3, 15, 0)
    # Friday + 1 business day = Monday
    assert add_business_days(utc(2026, 11, 27, 9, 0), 1, BERLIN) == utc(2026, 11, 30, 9, 0)
    # Wednesday + 7 business days = Friday of the next week
    assert add_business_days(utc(2026, 11, 25, 10, 0), 7, BERLIN) == utc(2026, 12, 4, 10, 0)


def test_business_days_land_inside_hours():
    # a touch sent at 16:59 Friday; 3 business days later at 16:59 is still open
    assert add_business_days(utc(2026, 11, 27, 15, 59), 3, BERLIN) == utc(2026, 12, 2, 15, 59)


def test_unknown_zone_is_refused_with_its_name():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        BusinessHours(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="end_hour must be after start_hour"):
        BusinessHours(start_hour=17, end_hour=9)
