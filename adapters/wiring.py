"""Builds each outside system's adapter from settings: the only place that chooses the
embedded default or the production service (Maildir or SMTP, SQLite or PostgreSQL, the
website or an enrichment API). The worker's activities, the web service and the command
line all open their adapters here, so they cannot disagree about which one is in use.
"""

from adapters.crm.crm import CrmStore, SqliteCrm
from adapters.crm.crm_postgres import PostgresCrm
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.mail.mail import MaildirTransport, MailTransport, SentLedger, SmtpTransport
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from adapters.web.enrichment import ApiEnrichment, EnrichmentProvider, WebsiteEnrichment
from adapters.web.safe_fetch import FetchPolicy, SafeFetcher
from config.crm import CrmSettings
from config.doors import InboundSettings, WebSettings
from config.settings import AppSettings, TriageSettings


def fetch_policy(settings: AppSettings, max_bytes: int | None = None) -> FetchPolicy:
    return FetchPolicy(
        timeout_s=settings.fetch_timeout_s,
        max_bytes=max_bytes or settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
        allow_hosts=frozenset(h.lower() for h in settings.fetch_allow_hosts),
        static_hosts=settings.fetch_static_hosts,
    )


def enrichment_provider(settings: AppSettings) -> EnrichmentProvider:
    if settings.enrichment_provider == "api":
        assert settings.enrichment_api_url is not None  # checked by AppSettings
        key = settings.enrichment_api_key
        return ApiEnrichment(
            settings.enrichment_api_url,
            settings.enrichment_api_auth_header,
            key.get_secret_value() if key else None,
            settings.fetch_timeout_s,
        )
    return WebsiteEnrichment(SafeFetcher(fetch_policy(settings)))


def mail_transport(settings: AppSettings) -> MailTransport:
    if settings.mail_transport == "smtp":
        assert settings.smtp_host is not None  # checked by AppSettings
        password = settings.smtp_password
        return SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            SentLedger(settings.sent_ledger_path),
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            starttls=settings.smtp_starttls,
        )
    return MaildirTransport(settings.outbox_dir, settings.mail_from)


def unsubscribe_links(
    app: AppSettings, web: WebSettings, inbound: InboundSettings
) -> UnsubscribeLinks:
    """The same for the worker, which mints links, and the web service, which checks them."""
    secret = app.link_secret.get_secret_value().encode() if app.link_secret else None
    return UnsubscribeLinks(secret, web.public_url, inbound.unsubscribe_address)


async def open_crm(app: AppSettings, crm: CrmSettings) -> CrmStore:
    """The CRM store the workers share (each worker holds one for every activity and the
    limits; the web service and the command line open the same): PostgreSQL
    when `FLOWDESK_CRM_URL` is set (connected and migrated now, so a bad URL stops the
    start), else the SQLite file in the data dir."""
    if crm.url is None:
        return SqliteCrm(app.crm_path)
    return await PostgresCrm.connect(crm.url.get_secret_value(), crm.pool_size)


def knowledge_base(app: AppSettings, triage: TriageSettings) -> tuple[KnowledgeBase, str]:
    """The KB, re-indexed incrementally from the articles folder; returns a report line."""
    kb = KnowledgeBase(app.kb_path)
    report = kb.reindex(triage.kb_dir)
    skipped = "".join(f"; skipped {entry}" for entry in report.skipped)
    return kb, (
        f"knowledge base {triage.kb_dir}: {report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged{skipped}"
    )
