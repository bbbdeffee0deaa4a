"""Builds adapters from settings: the only place that chooses embedded vs production."""

from activities.imap import MailboxAccount, MailboxActivities
from activities.lead_intake import LeadIntakeActivities
from activities.mail_routing import MailRoutingActivities
from activities.outreach import OutreachActivities, ResearchLimits
from activities.postbox import Postbox
from activities.review import ReviewActivities
from activities.support_triage import SupportTriageActivities
from adapters.crm.crm import Crm, CrmStore, SqliteCrm
from adapters.crm.crm_postgres import PostgresCrm
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.mail.mail import MaildirTransport, MailTransport, SentLedger, SmtpTransport
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from adapters.web.enrichment import ApiEnrichment, EnrichmentProvider, WebsiteEnrichment
from adapters.web.safe_fetch import FetchPolicy, SafeFetcher
from agents.client import LlmClient, LlmConfig
from config.crm import CrmSettings
from config.doors import InboundSettings, WebSettings
from config.escalation import EscalationPolicy
from config.settings import AppSettings, LlmSettings, OutreachSettings, TriageSettings
from policy.scoring import ScoringConfig


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
    """The worker's one CRM store, shared by every activity and the limits: PostgreSQL
    when `FLOWDESK_CRM_URL` is set (connected and migrated now, so a bad URL stops the
    start), else the SQLite file in the data dir."""
    if crm.url is None:
        return SqliteCrm(app.crm_path)
    return await PostgresCrm.connect(crm.url.get_secret_value(), crm.pool_size)


def postbox(app: AppSettings, web: WebSettings, inbound: InboundSettings, crm: Crm) -> Postbox:
    """Sends through the configured transport and logs each message to `crm`."""
    return Postbox(mail_transport(app), crm, unsubscribe_links(app, web, inbound))


def lead_intake_activities(
    settings: AppSettings, mail: Postbox, crm: Crm, id_key: bytes | None = None
) -> LeadIntakeActivities:
    return LeadIntakeActivities(
        enrichment=enrichment_provider(settings),
        crm=crm,
        postbox=mail,
        scoring=ScoringConfig(
            target_industries=tuple(settings.scoring_target_industries),
            tier_a_min=settings.scoring_tier_a_min,
            tier_b_min=settings.scoring_tier_b_min,
        ),
        id_key=id_key,
    )


def llm_client(settings: LlmSettings) -> LlmClient:
    return LlmClient(
        LlmConfig(
            base_url=settings.base_url,
            api_key=settings.api_key.get_secret_value(),
            models=settings.models(),
            timeout_s=settings.timeout_s,
            max_tokens=settings.max_tokens,
            context_tokens=settings.context_tokens,
        )
    )


def knowledge_base(app: AppSettings, triage: TriageSettings) -> tuple[KnowledgeBase, str]:
    """The KB, re-indexed incrementally from the articles folder; returns a report line."""
    kb = KnowledgeBase(app.kb_path)
    report = kb.reindex(triage.kb_dir)
    skipped = "".join(f"; skipped {entry}" for entry in report.skipped)
    return kb, (
        f"knowledge base {triage.kb_dir}: {report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged{skipped}"
    )


def support_triage_activities(
    llm: LlmSettings, kb: KnowledgeBase, policy: EscalationPolicy, mail: Postbox
) -> SupportTriageActivities:
    return SupportTriageActivities(llm=llm_client(llm), kb=kb, postbox=mail, policy=policy)


def outreach_activities(
    app: AppSettings, llm: LlmSettings, outreach: OutreachSettings, mail: Postbox, crm: Crm
) -> OutreachActivities:
    return OutreachActivities(
        llm=llm_client(llm),
        fetcher=SafeFetcher(fetch_policy(app, outreach.research_max_bytes)),
        crm=crm,
        postbox=mail,
        limits=ResearchLimits(max_pages=outreach.research_max_pages),
    )


def mailbox_activities(inbound: InboundSettings, id_key: bytes) -> list:
    """The IMAP poll's activities, hosted only when a mailbox is configured."""
    if not inbound.imap_host:
        return []
    assert inbound.imap_username and inbound.imap_password  # checked by InboundSettings
    account = MailboxAccount(
        host=inbound.imap_host,
        port=inbound.imap_port,
        username=inbound.imap_username,
        password=inbound.imap_password.get_secret_value(),
        folder=inbound.imap_folder,
    )
    return MailboxActivities(account, id_key).definitions()


def worker_activities(
    app: AppSettings,
    llm: LlmSettings,
    outreach: OutreachSettings,
    inbound: InboundSettings,
    web: WebSettings,
    kb: KnowledgeBase,
    policy: EscalationPolicy,
    id_key: bytes,
    crm: Crm,
) -> list:
    """Every activity the worker hosts, each process's, the review gate's, the mail
    router's and the mailbox's; all of them send through one postbox and keep their
    records in the worker's one CRM store (`open_crm`)."""
    mail = postbox(app, web, inbound, crm)
    return [
        *MailRoutingActivities(crm, unsubscribe_links(app, web, inbound)).definitions(),
        *lead_intake_activities(app, mail, crm, id_key).definitions(),
        *support_triage_activities(llm, kb, policy, mail).definitions(),
        *outreach_activities(app, llm, outreach, mail, crm).definitions(),
        *ReviewActivities(postbox=mail).definitions(),
        *mailbox_activities(inbound, id_key),
    ]
