"""Abuse and cost limits from the environment (`FLOWDESK_LIMIT_...`); the defaults are the
models' (`models/limits.py`), stated once there."""

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.limits import AutoReplyLimits, LlmRate

REPLIES = AutoReplyLimits()
RATE = LlmRate()


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


class LimitSettings(BaseSettings):
    """Auto-reply limits per address and per domain, and the LLM endpoint's tokens per
    minute; the worker enforces them, so only the worker reads them."""

    model_config = SettingsConfigDict(env_prefix="FLOWDESK_LIMIT_", extra="ignore")

    replies_per_address: int = Field(default=REPLIES.per_address, ge=1)
    address_window_minutes: int = Field(default=_minutes(REPLIES.address_window), ge=1)
    replies_per_domain: int = Field(default=REPLIES.per_domain, ge=1)
    domain_window_minutes: int = Field(default=_minutes(REPLIES.domain_window), ge=1)
    llm_tokens_per_minute: int = Field(default=RATE.tokens_per_minute, ge=0)
    llm_reserve_tokens: int = Field(default=RATE.reserve_tokens, ge=1)

    def replies(self) -> AutoReplyLimits:
        return AutoReplyLimits(
            per_address=self.replies_per_address,
            address_window=timedelta(minutes=self.address_window_minutes),
            per_domain=self.replies_per_domain,
            domain_window=timedelta(minutes=self.domain_window_minutes),
        )

    def llm_rate(self) -> LlmRate:
        return LlmRate(
            tokens_per_minute=self.llm_tokens_per_minute, reserve_tokens=self.llm_reserve_tokens
        )
