"""Builds the worker's activity classes from settings, each with its adapters
(`adapters.wiring`) and the LLM client."""

from activities.imap import MailboxAccount, MailboxActivities
from activities.lead_intake import LeadIntakeActivities
from activities.mail_routing import MailRoutingActivities
from activities.outreach import OutreachActivities, ResearchLimits
from activities.postbox import Postbox
from activities.review import ReviewActivities
from activities.support_triage import SupportTriageActivities
from adapters.crm.crm import Crm
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.web.safe_fetch import SafeFetcher
from adapters.wiring import enrichment_provider, fetch_policy, mail_transport, unsubscribe_links
from agents.client import LlmClient, LlmConfig
from config.doors import InboundSettings, WebSettings
from config.escalation import EscalationPolicy
from config.settings import AppSettings, LlmSettings, OutreachSettings
from policy.scoring import ScoringConfig


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
