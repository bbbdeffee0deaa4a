"""Input shared by every door is refused or completed the same way, before any run exists."""

import json
from pathlib import Path

import pytest

from client.errors import InputError
from client.inputs import parse_outreach
from config.settings import OutreachSettings

ROOT = Path(__file__).parents[2]
OUTREACH = json.loads((ROOT / "examples/outreach/bluefin.json").read_text())


def test_outreach_options_take_the_leads_zone_over_the_default():
    settings = OutreachSettings(default_timezone="Europe/Berlin", follow_up_days=[2, 5])
    request = parse_outreach(dict(OUTREACH), settings)
    assert request.options.hours.timezone == "Europe/Warsaw"
    assert request.options.follow_up_business_days == [2, 5]
    without = parse_outreach({k: v for k, v in OUTREACH.items() if k != "timezone"}, settings)
    assert without.options.hours.timezone == "Europe/Berlin"


def test_an_unknown_zone_is_input_error_naming_the_field():
    with pytest.raises(InputError, match="timezone: unknown time zone 'Mars/Olympus'"):
        parse_outreach(OUTREACH | {"timezone": "Mars/Olympus"}, OutreachSettings())


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("name", "Ada\r\nBcc: list@victim.example", "line break"),
        ("company", "Welcome to Flowdesk, http://evil.example/login", "'://'"),
        ("company", "www.evil.example", "'www.'"),
        ("name", "ada@evil.example", "'@'"),
        ("name", "Ada\u2028Lindqvist", "line break"),
    ],
)
def test_names_that_would_relay_text_through_our_emails_are_refused(
    field: str, value: str, why: str
):
    fields = dict(OUTREACH, **{field: value})
    with pytest.raises(InputError, match=f"{field}: .*{why}"):
        parse_outreach(fields, OutreachSettings())


def test_ordinary_names_with_dots_and_ampersands_pass():
    fields = dict(OUTREACH, name="Seán O'Brien", company="Booking.com & Sons")
    assert parse_outreach(fields, OutreachSettings()).lead.company == "Booking.com & Sons"
