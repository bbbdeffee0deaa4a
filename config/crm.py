"""Where the CRM lives (`FLOWDESK_CRM_...`): a PostgreSQL database shared by every worker,
or, unset, the SQLite file in `FLOWDESK_DATA_DIR` that one machine's workers share.

The CRM also holds the auto-reply ledger and the LLM tokens-per-minute window, so the
limits are shared by exactly the workers that share the CRM.
"""

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

POSTGRES_SCHEMES = ("postgresql", "postgres")


class CrmSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOWDESK_CRM_", extra="ignore")

    url: SecretStr | None = Field(
        default=None,
        description="postgresql://user:password@host:port/database; unset: the SQLite file",
    )
    pool_size: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Connections one worker holds open to PostgreSQL; more activities wait",
    )

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        """The URL carries a password, so the message names the rule and never the value."""
        if value is None:
            return None
        if urlsplit(value.get_secret_value()).scheme not in POSTGRES_SCHEMES:
            raise ValueError("must be a postgresql://user:password@host:port/database URL")
        return value
