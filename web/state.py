"""What every request handler of the web service shares, built once at start-up."""

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from temporalio.client import Client

from adapters.crm.crm import Crm
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from config.doors import WebSettings
from config.privacy import PrivacySettings
from config.settings import OutreachSettings, TemporalSettings, TriageSettings
from web.addresses import client_address as forwarded_client_address
from web.auth import COOKIE, Session, SessionSigner
from web.limits import SlidingWindow

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
"""Autoescaping is on for .html: mail text and model output render as text, never markup."""


@dataclass
class Doors:
    web: WebSettings
    temporal: TemporalSettings
    triage: TriageSettings
    outreach: OutreachSettings
    client: Client
    privacy: PrivacySettings
    """The id secret (run ids of submitted forms) and the payload keys (codec endpoint)."""
    links: UnsubscribeLinks | None = None
    """Checks one-click unsubscribe tokens; None (no link secret) refuses every link."""
    ended_sessions: Path | None = None
    """Where signed-out sessions are kept across restarts (`web.auth.SessionSigner`)."""
    crm: Crm | None = None
    """The CRM the workers write, for the suppression list page; None: the page says so."""
    signer: SessionSigner = field(init=False)
    per_address: SlidingWindow = field(init=False)
    per_email: SlidingWindow = field(init=False)
    logins: SlidingWindow = field(init=False)
    status_reads: SlidingWindow = field(init=False)

    def __post_init__(self) -> None:
        secret = self.web.session_secret
        key = secret.get_secret_value().encode() if secret else secrets.token_bytes(32)
        self.signer = SessionSigner(key, self.web.session_hours, self.ended_sessions)
        self.per_address = SlidingWindow(self.web.leads_per_address_per_minute, 60)
        self.per_email = SlidingWindow(self.web.leads_per_email_per_hour, 3600)
        self.logins = SlidingWindow(self.web.logins_per_address_per_minute, 60)
        self.status_reads = SlidingWindow(self.web.status_reads_per_address_per_minute, 60)


def doors(request: Request) -> Doors:
    return request.app.state.doors


def session_of(request: Request) -> Session | None:
    state = doors(request)
    return state.signer.read(request.cookies.get(COOKIE), state.web.users)


def client_address(request: Request) -> str:
    """The address rate limits count (`web.addresses`)."""
    return forwarded_client_address(request, doors(request).web.trusted_proxies)
