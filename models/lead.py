"""Lead payloads: the web-form submission and what intake learns about it."""

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AwareDatetime, EmailStr, Field, HttpUrl, field_validator

from models.common import Decision, SendResult, Strict, keyed_digest

LeadSource = Literal["web_form", "referral", "webinar", "event", "partner", "ad", "other"]
ProfileSource = Literal["website", "api", "email_domain"]
Tier = Literal["A", "B", "C"]
NOT_IN_A_NAME = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|://|www\.|[@/<>]", re.I
)
"""A name or company that carries a link, an address or a line break would let the form
relay text through our welcome email (`Welcome to Flowdesk, http://evil.example/login`),
and a bidi override would show a person other text than the one stored; dots stay
allowed (`Booking.com`)."""
ENCODED_WORD = re.compile(r"=\?[^?]*\?[bq]\?", re.I)
"""RFC 2047 forbids encoded-words in an address, and a mail header decodes them:
`=?utf-8?q?a=2Cvictim=40example=2Eorg?=@evil.example` would be stored as one address
and written into the welcome mail's `To` as another."""


FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
        "aol.com", "icloud.com", "me.com", "gmx.de", "gmx.net", "web.de", "proton.me",
        "protonmail.com", "mail.com", "yandex.ru", "qq.com",
    }
)  # fmt: skip
"""Mailbox providers, not employers: their domain says nothing of the sender's company."""


class LeadSubmission(Strict):
    """A web-form lead as it arrives; validated at the edge before any workflow starts."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr = Field(max_length=254)
    company: str = Field(min_length=1, max_length=200)
    website: HttpUrl | None = Field(
        default=None,
        max_length=2000,
        description="Optional: without it the company is looked up at the email's domain",
    )
    message: str = Field(default="", max_length=5000)
    source: LeadSource = "web_form"
    submitted_at: AwareDatetime
    submission_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")

    @field_validator("name", "company")
    @classmethod
    def _single_line_plain(cls, value: str) -> str:
        """Names go into subjects, greetings and prompts: one line of text, no links."""
        stripped = value.strip()
        if not stripped:
            raise ValueError("must not be blank")
        if found := NOT_IN_A_NAME.search(stripped):
            char = found.group(0)
            what = repr(char) if char.isprintable() else "a line break or control character"
            raise ValueError(f"must be one line of plain text, without {what}")
        return stripped

    @field_validator("website", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """An HTML form sends an empty field as "": no website, not a bad one."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("email")
    @classmethod
    def _no_encoded_word(cls, value: str) -> str:
        if ENCODED_WORD.search(value):
            raise ValueError("must be a plain address, without an encoded-word (=?...?=)")
        return value

    @property
    def normalized_email(self) -> str:
        return str(self.email).strip().lower()

    @property
    def email_domain(self) -> str:
        return self.normalized_email.rsplit("@", 1)[1]

    @property
    def company_website(self) -> str | None:
        """The site to learn the company from: the one given, else the email's domain
        when it is a company's; None for a free-mail address without a website."""
        if self.website is not None:
            return str(self.website)
        if self.email_domain in FREE_MAIL_DOMAINS:
            return None
        return f"https://{self.email_domain}/"

    @property
    def website_domain(self) -> str:
        """The company's web domain; empty when there is none to know."""
        host = urlsplit(self.company_website or "").hostname or ""
        return host.removeprefix("www.")


def lead_workflow_id(lead: LeadSubmission, key: bytes) -> str:
    """One id per submission: a double-submitted form maps to the same run.

    The submission id wins when the form sends one; otherwise the UTC day of
    submission groups repeated posts of the same address.
    """
    discriminator = lead.submission_id or lead.submitted_at.date().isoformat()
    return "lead-" + keyed_digest(key, f"{lead.normalized_email}|{discriminator}")


class CompanyProfile(Strict):
    """What enrichment learned about the company; same shape for every provider."""

    domain: str
    name: str | None = None
    description: str | None = Field(default=None, max_length=2000)
    industry: str | None = None
    employee_count: int | None = Field(default=None, ge=0)
    social_links: list[str] = Field(default_factory=list)
    source: ProfileSource
    fetched_url: str | None = None


def profile_from_email_domain(lead: LeadSubmission) -> CompanyProfile:
    """The minimal profile used when enrichment fails: only what the form itself says."""
    return CompanyProfile(domain=lead.email_domain, name=lead.company, source="email_domain")


class RuleHit(Strict):
    """One scoring rule's contribution, kept so a person sees why a lead scored as it did."""

    rule: str
    points: int
    reason: str


class LeadScore(Strict):
    points: int
    tier: Tier
    rules_version: str
    hits: list[RuleHit]
    domain_key: str | None = None
    """The company's domain keyed-hashed with the deployment's secret: what the
    `CompanyDomain` search attribute holds, so the server's index names no company
    (`starter.py domain-key DOMAIN` gives the value to query)."""


def company_domain_key(key: bytes, domain: str) -> str:
    return "d-" + keyed_digest(key, domain.strip().lower().rstrip("."))


class ScoreInput(Strict):
    lead: LeadSubmission
    profile: CompanyProfile


class EnrichInput(Strict):
    website: str
    domain: str


class ContactUpsert(Strict):
    """Create or update a CRM contact; `event_key` makes the timeline entry idempotent."""

    lead: LeadSubmission
    profile: CompanyProfile
    event_key: str


class ContactRef(Strict):
    contact_id: int
    created: bool
    changed: bool


class IntakeOutcome(Strict):
    """Final facts written back to the CRM once the lead is scored and greeted."""

    contact_id: int
    score: LeadScore
    welcome: SendResult | None
    event_key: str


class WelcomeEmailInput(Strict):
    lead: LeadSubmission
    profile: CompanyProfile
    tier: Tier
    idempotency_key: str


class LeadIntakeInput(Strict):
    lead: LeadSubmission
    send_welcome: bool = Field(
        default=True, description="Outreach turns this off and sends its own first touch"
    )


class LeadIntakeStatus(Strict):
    """Answer of the `status` query: where the run is and every decision so far."""

    stage: str
    domain: str
    contact_id: int | None = None
    profile: CompanyProfile | None = None
    score: LeadScore | None = None
    welcome: SendResult | None = None
    decisions: list[Decision]


class LeadIntakeResult(Strict):
    workflow_id: str
    contact_id: int
    domain: str
    profile: CompanyProfile
    score: LeadScore
    welcome: SendResult | None
    decisions: list[Decision]
