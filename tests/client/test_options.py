"""Settings read at the door become the options a run keeps in its history."""

import pytest

from client.options import outreach_options
from config.settings import OutreachSettings
from models.outreach import LINK_HOSTS


def test_every_new_outreach_run_carries_the_link_allowlist(monkeypatch: pytest.MonkeyPatch):
    assert outreach_options(OutreachSettings(), None).link_hosts == list(LINK_HOSTS)
    monkeypatch.setenv("FLOWDESK_OUTREACH_LINK_HOSTS", "flowdesk.example, docs.flowdesk.example")
    options = outreach_options(OutreachSettings(), "Europe/Berlin")
    assert options.link_hosts == ["flowdesk.example", "docs.flowdesk.example"]
    assert options.hours.timezone == "Europe/Berlin"
