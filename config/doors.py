"""Settings of the front doors: the web service (form endpoint, reviewer inbox) and the
inbound mailbox (SMTP listener, IMAP poller).

Kept apart from `config.settings` because the doors read them (the worker only reads
the IMAP account, to host the mailbox poll's activities). Reviewers and their password
hashes come from here and nowhere else: there is no built-in account, so an inbox
without `FLOWDESK_WEB_USERS` lets nobody in.
"""

from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PASSWORD_SCHEME = "scrypt"


def _parse_users(value: Any) -> Any:
    """`name:hash,name:hash`; a hash is `python -m web hash-password` output."""
    if not isinstance(value, str):
        return value
    users: dict[str, str] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        name, sep, hashed = item.partition(":")
        if not sep or not name or not hashed.startswith(f"{PASSWORD_SCHEME}$"):
            raise ValueError(
                "expected name:scrypt$... pairs (make a hash with: python -m web hash-password)"
            )
        users[name.strip()] = hashed.strip()
    return users


def _parse_networks(value: Any) -> Any:
    """`10.0.0.5,172.18.0.0/16`: addresses or networks."""
    if not isinstance(value, str):
        return value
    try:
        return [ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip()]
    except ValueError as err:
        raise ValueError(f"expected IP addresses or networks, comma-separated ({err})") from None


class WebSettings(BaseSettings):
    """The HTTP service: where it listens, who may review, and what a form may do."""

    model_config = SettingsConfigDict(env_prefix="FLOWDESK_WEB_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8800, ge=1, le=65535)
    public_url: str = Field(
        default="http://127.0.0.1:8800", description="How people and status links reach it"
    )
    users: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    session_secret: SecretStr | None = Field(
        default=None, description="Signs session cookies; a random one per start when unset"
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 14)
    secure_cookies: bool = Field(default=False, description="Set behind TLS")
    lead_workflow: Literal["intake", "outreach"] = Field(
        default="intake", description="What a submitted lead form starts"
    )
    max_body_bytes: int = Field(
        default=98_304,
        ge=1024,
        le=1_000_000,
        description="Fits the largest form: an edited reply of 8,000 characters, URL-encoded",
    )
    leads_per_address_per_minute: int = Field(default=10, ge=1)
    leads_per_email_per_hour: int = Field(default=3, ge=1)
    logins_per_address_per_minute: int = Field(default=10, ge=1)
    status_reads_per_address_per_minute: int = Field(default=60, ge=1)
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="Reverse proxies whose X-Forwarded-For names the client (rate limits)",
    )

    _users = field_validator("users", mode="before")(_parse_users)
    _proxies = field_validator("trusted_proxies", mode="before")(_parse_networks)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")


class InboundSettings(BaseSettings):
    """The support mailbox: an SMTP listener on this host, or an IMAP box to poll."""

    model_config = SettingsConfigDict(env_prefix="FLOWDESK_INBOUND_", extra="ignore")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    support_address: str = "support@flowdesk.example"
    unsubscribe_address: str = Field(
        default="unsubscribe@flowdesk.example",
        description="The mailto of List-Unsubscribe; the SMTP listener accepts it",
    )
    imap_host: str | None = None
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_username: str | None = None
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"
    imap_poll_seconds: int = Field(default=60, ge=10, le=3600)
    imap_batch: int = Field(default=20, ge=1, le=500)

    @model_validator(mode="after")
    def _account_complete(self) -> "InboundSettings":
        if self.imap_host and (not self.imap_username or self.imap_password is None):
            raise ValueError(
                "FLOWDESK_INBOUND_IMAP_HOST needs FLOWDESK_INBOUND_IMAP_USERNAME and _PASSWORD"
            )
        return self
