"""FLOWDESK_CRM_URL takes a PostgreSQL URL only, and since it carries a password, a bad
one is refused without echoing it (which backend each value picks: test_crm_postgres.py)."""

import pytest

from config.crm import CrmSettings
from config.loading import load_or_exit
from config.settings import describe


def test_another_scheme_stops_the_start_without_echoing_the_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("FLOWDESK_CRM_URL", "mysql://crm:hunter2@db.example/crm")
    with pytest.raises(SystemExit) as stopped:
        load_or_exit(CrmSettings)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "FLOWDESK_CRM_URL" in err and "postgresql://" in err and "hunter2" not in err


def test_the_start_up_log_says_set_or_unset_only(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLOWDESK_CRM_URL", "postgresql://crm:hunter2@db.example/crm")
    assert describe(CrmSettings())["url"] == "set"
    monkeypatch.delenv("FLOWDESK_CRM_URL")
    assert describe(CrmSettings())["url"] is None
