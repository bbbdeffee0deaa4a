"""The limit settings: defaults from the models, overrides from the environment."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from config.limits import LimitSettings
from config.settings import OutreachSettings, TriageSettings
from models.limits import AutoReplyLimits, LlmRate
from models.outreach import OutreachOptions
from models.support import TriageOptions


def test_defaults_are_the_models():
    settings = LimitSettings()
    assert settings.replies() == AutoReplyLimits()
    assert settings.llm_rate() == LlmRate()
    assert (AutoReplyLimits().per_address, AutoReplyLimits().address_window) == (
        3,
        timedelta(hours=24),
    )
    assert (AutoReplyLimits().per_domain, AutoReplyLimits().domain_window) == (
        20,
        timedelta(hours=1),
    )
    assert TriageSettings().token_budget == TriageOptions().token_budget
    assert OutreachSettings().token_budget == OutreachOptions().token_budget


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLOWDESK_LIMIT_REPLIES_PER_ADDRESS", "5")
    monkeypatch.setenv("FLOWDESK_LIMIT_DOMAIN_WINDOW_MINUTES", "30")
    monkeypatch.setenv("FLOWDESK_LIMIT_LLM_TOKENS_PER_MINUTE", "0")
    monkeypatch.setenv("FLOWDESK_TRIAGE_TOKEN_BUDGET", "8000")
    settings = LimitSettings()
    assert settings.replies().per_address == 5
    assert settings.replies().domain_window == timedelta(minutes=30)
    assert settings.llm_rate().tokens_per_minute == 0  # off: no limiter is built
    assert TriageSettings().token_budget == 8000


def test_nonsense_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLOWDESK_LIMIT_REPLIES_PER_DOMAIN", "0")
    with pytest.raises(ValidationError, match="replies_per_domain"):
        LimitSettings()
