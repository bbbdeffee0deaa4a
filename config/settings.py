"""Typed settings read from the environment; bad values stop start-up with a clear message.

Temporal connection settings use the `TEMPORAL_` prefix (the same names the Temporal
CLI understands); everything else uses `FLOWDESK_`. Secrets are `SecretStr` and are
only ever reported as set or unset.
"""

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.escalation import DEFAULT_PATH as DEFAULT_POLICY
from models.outreach import LINK_HOSTS, OutreachOptions, check_follow_up_days, check_timezone
from models.support import TriageOptions

CommaList = Annotated[list[str], NoDecode]
HostMap = Annotated[dict[str, str], NoDecode]
TRIAGE = TriageOptions()
OUTREACH = OutreachOptions()
"""The per-run option models hold every business default; settings only name them in
the environment, so a default is stated once."""
MIN_LINK_SECRET_CHARS = 32
"""A shorter secret could be guessed from the links it signs."""


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class TemporalSettings(BaseSettings):
    """Where the worker and the starter find Temporal (dev server, cluster or Cloud)."""

    model_config = SettingsConfigDict(env_prefix="TEMPORAL_", extra="ignore")

    address: str = Field(default="localhost:7233", pattern=r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
    namespace: str = Field(default="default", min_length=1)
    task_queue: str = Field(default="flowdesk", min_length=1)
    api_key: SecretStr | None = None
    tls: bool | None = Field(default=None, description="Defaults to on when an API key is set")
    tls_cert_path: Path | None = None
    tls_key_path: Path | None = None
    tls_ca_path: Path | None = Field(
        default=None, description="The CA that signed the server's certificate, when private"
    )
    tls_server_name: str | None = Field(
        default=None, description="The name the server's certificate carries, when not the host"
    )
    ui_url: str = "http://127.0.0.1:8233"

    @model_validator(mode="after")
    def _check_tls_pair(self) -> "TemporalSettings":
        if (self.tls_cert_path is None) != (self.tls_key_path is None):
            raise ValueError("TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together")
        for path in (self.tls_cert_path, self.tls_key_path, self.tls_ca_path):
            if path is not None and not path.is_file():
                raise ValueError(f"TLS file not found: {path}")
        return self

    @property
    def use_tls(self) -> bool:
        if self.tls is not None:
            return self.tls
        return (
            self.api_key is not None
            or self.tls_cert_path is not None
            or self.tls_ca_path is not None
        )

    def run_url(self, workflow_id: str) -> str:
        return f"{self.ui_url.rstrip('/')}/namespaces/{self.namespace}/workflows/{workflow_id}"


class AppSettings(BaseSettings):
    """Adapters and business rules; each adapter is chosen here, never in a workflow."""

    model_config = SettingsConfigDict(env_prefix="FLOWDESK_", extra="ignore")

    data_dir: Path = Path("var")

    enrichment_provider: Literal["website", "api"] = "website"
    enrichment_api_url: str | None = Field(
        default=None, description="URL template with {domain}, e.g. https://api.x.com/v1?d={domain}"
    )
    enrichment_api_auth_header: str = "Authorization"
    enrichment_api_key: SecretStr | None = None

    fetch_allow_hosts: CommaList = Field(
        default_factory=list,
        description="Hosts the website fetcher may reach even on private/loopback addresses",
    )
    fetch_static_hosts: HostMap = Field(
        default_factory=dict, description="host=ip pairs resolved without DNS (demo sites)"
    )
    fetch_timeout_s: float = Field(default=10.0, gt=0, le=60)
    fetch_max_bytes: int = Field(default=1_000_000, ge=1024, le=20_000_000)
    fetch_max_redirects: int = Field(default=3, ge=0, le=10)

    mail_transport: Literal["maildir", "smtp"] = "maildir"
    mail_from: str = "Flowdesk <hello@flowdesk.example>"
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    link_secret: SecretStr | None = Field(
        default=None, description="Signs one-click unsubscribe links; shared by worker and web"
    )

    scoring_target_industries: CommaList = Field(
        default_factory=lambda: ["robotics", "manufacturing", "logistics", "software"]
    )
    scoring_tier_a_min: int = 60
    scoring_tier_b_min: int = 30

    _split = field_validator("fetch_allow_hosts", "scoring_target_industries", mode="before")(
        _split_commas
    )

    @field_validator("link_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_LINK_SECRET_CHARS:
            raise ValueError(
                f"must be at least {MIN_LINK_SECRET_CHARS} characters "
                "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("fetch_static_hosts", mode="before")
    @classmethod
    def _parse_host_map(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        pairs: dict[str, str] = {}
        for item in _split_commas(value):
            host, sep, ip = item.partition("=")
            if not sep or not host or not ip:
                raise ValueError(f"expected host=ip, got {item!r}")
            pairs[host.strip().lower()] = ip.strip()
        return pairs

    @model_validator(mode="after")
    def _check_adapters(self) -> "AppSettings":
        if self.enrichment_provider == "api":
            if not self.enrichment_api_url or "{domain}" not in self.enrichment_api_url:
                raise ValueError("FLOWDESK_ENRICHMENT_API_URL must be set and contain {domain}")
        if self.mail_transport == "smtp" and not self.smtp_host:
            raise ValueError("FLOWDESK_SMTP_HOST is required when FLOWDESK_MAIL_TRANSPORT=smtp")
        if self.scoring_tier_a_min <= self.scoring_tier_b_min:
            raise ValueError("FLOWDESK_SCORING_TIER_A_MIN must exceed FLOWDESK_SCORING_TIER_B_MIN")
        return self

    @property
    def crm_path(self) -> Path:
        return self.data_dir / "crm.sqlite3"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def sent_ledger_path(self) -> Path:
        return self.data_dir / "sent-ledger.sqlite3"

    @property
    def kb_path(self) -> Path:
        return self.data_dir / "kb.sqlite3"


class LlmSettings(BaseSettings):
    """The OpenAI-compatible endpoint: three variables switch to OpenAI, Ollama or vLLM.

    `OPENAI_BASE_URL` and `OPENAI_API_KEY` keep the names the `openai` package uses.
    The defaults point at the embedded llama.cpp server that `make demo` starts.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    base_url: str = Field(default="http://127.0.0.1:8091/v1", alias="OPENAI_BASE_URL")
    api_key: SecretStr = Field(default=SecretStr("local"), alias="OPENAI_API_KEY")
    model: str = Field(default="qwen2.5-coder-0.5b-instruct", alias="FLOWDESK_LLM_MODEL")
    model_classify: str | None = Field(default=None, alias="FLOWDESK_LLM_MODEL_CLASSIFY")
    model_draft: str | None = Field(default=None, alias="FLOWDESK_LLM_MODEL_DRAFT")
    timeout_s: float = Field(default=60.0, gt=0, le=300, alias="FLOWDESK_LLM_TIMEOUT_S")
    max_tokens: int = Field(default=500, ge=64, le=8192, alias="FLOWDESK_LLM_MAX_TOKENS")
    context_tokens: int | None = Field(
        default=None, ge=512, le=2_000_000, alias="FLOWDESK_LLM_CONTEXT_TOKENS"
    )
    """The endpoint's context window; unset: llama.cpp's /props, else no cut."""

    local_port: int = Field(default=8091, ge=1, le=65535, alias="FLOWDESK_LLM_LOCAL_PORT")
    local_threads: int = Field(default=2, ge=1, le=256, alias="FLOWDESK_LLM_THREADS")
    local_context: int = Field(default=4096, ge=512, le=131072, alias="FLOWDESK_LLM_CONTEXT")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL ending in /v1 for most servers")
        return value.rstrip("/")

    def models(self) -> dict[str, str]:
        chosen = {"default": self.model, "classify": self.model_classify, "draft": self.model_draft}
        return {role: name for role, name in chosen.items() if name}


class TriageSettings(BaseSettings):
    """Support-triage decisions and where its knowledge base lives."""

    model_config = SettingsConfigDict(env_prefix="FLOWDESK_TRIAGE_", extra="ignore")

    threshold: float = Field(default=TRIAGE.threshold, ge=0, le=1)
    sla_minutes: int = Field(default=_minutes(TRIAGE.sla), ge=1)
    final_deadline_minutes: int = Field(default=_minutes(TRIAGE.final_deadline), ge=1)
    on_call: str = TRIAGE.on_call
    kb_dir: Path = Path(__file__).resolve().parent.parent / "kb" / "articles"
    policy_file: Path = Field(default=DEFAULT_POLICY, description="The escalation policy (TOML)")
    reply_allowlist: CommaList = Field(
        default_factory=lambda: list(TRIAGE.allow),
        description="Hosts and addresses a reply may name without a cited source",
    )
    signature: str = Field(default=TRIAGE.signature, min_length=1, max_length=80)
    token_budget: int = Field(default=TRIAGE.token_budget, ge=1)

    _split = field_validator("reply_allowlist", mode="before")(_split_commas)

    @model_validator(mode="after")
    def _deadline_after_sla(self) -> "TriageSettings":
        if self.final_deadline_minutes <= self.sla_minutes:
            raise ValueError(
                "FLOWDESK_TRIAGE_FINAL_DEADLINE_MINUTES must exceed FLOWDESK_TRIAGE_SLA_MINUTES"
            )
        return self


class OutreachSettings(BaseSettings):
    """Lead-outreach cadence, who approves, and how much of a website research may read."""

    model_config = SettingsConfigDict(env_prefix="FLOWDESK_OUTREACH_", extra="ignore")

    default_timezone: str = Field(
        default=OUTREACH.hours.timezone, description="IANA zone for leads that do not give one"
    )
    business_start_hour: int = Field(default=OUTREACH.hours.start_hour, ge=0, le=23)
    business_end_hour: int = Field(default=OUTREACH.hours.end_hour, ge=1, le=24)
    follow_up_days: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: list(OUTREACH.follow_up_business_days)
    )
    human_tiers: CommaList = Field(default_factory=lambda: list(OUTREACH.human_tiers))
    threshold: float = Field(default=OUTREACH.threshold, ge=0, le=1)
    min_lead_minutes: int = Field(default=_minutes(OUTREACH.min_lead_time), ge=0)
    send_welcome: bool = OUTREACH.send_welcome
    sla_minutes: int = Field(default=_minutes(OUTREACH.sla), ge=1)
    final_deadline_minutes: int = Field(default=_minutes(OUTREACH.final_deadline), ge=1)
    on_call: str = OUTREACH.on_call
    touches_per_run: int = Field(default=OUTREACH.touches_per_run, ge=1)
    token_budget: int = Field(default=OUTREACH.token_budget, ge=1)
    link_hosts: CommaList = Field(default_factory=lambda: list(LINK_HOSTS))
    research_max_pages: int = Field(default=4, ge=1, le=10)
    research_max_bytes: int = Field(default=500_000, ge=1024, le=5_000_000)

    _split = field_validator("follow_up_days", "human_tiers", "link_hosts", mode="before")(
        _split_commas
    )

    _known_zone = field_validator("default_timezone")(check_timezone)
    _increasing = field_validator("follow_up_days")(check_follow_up_days)

    @model_validator(mode="after")
    def _consistent(self) -> "OutreachSettings":
        if self.business_end_hour <= self.business_start_hour:
            raise ValueError("FLOWDESK_OUTREACH_BUSINESS_END_HOUR must follow the start hour")
        if self.final_deadline_minutes <= self.sla_minutes:
            raise ValueError("FLOWDESK_OUTREACH_FINAL_DEADLINE_MINUTES must exceed the SLA")
        if not set(self.human_tiers) <= {"A", "B", "C"}:
            raise ValueError("FLOWDESK_OUTREACH_HUMAN_TIERS takes tiers A, B, C")
        return self


def describe(settings: BaseSettings) -> dict[str, Any]:
    """Settings for a start-up log line: secrets appear only as 'set'."""
    shown: dict[str, Any] = {}
    for name, value in settings.model_dump().items():
        if isinstance(getattr(settings, name), SecretStr):
            shown[name] = "set"
        elif value is None and name.endswith(("key", "password", "secret")):
            shown[name] = "unset"
        else:
            shown[name] = str(value) if isinstance(value, Path) else value
    return shown
