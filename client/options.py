"""Settings are read once at the door and travel into the run as options.

A workflow must not read the environment (it would not replay the same), so the
thresholds, SLAs and business hours a run obeys are fixed when it starts and kept in
its history.
"""

from datetime import timedelta

from client.errors import validated
from config.doors import InboundSettings
from config.settings import OutreachSettings, TriageSettings
from models.outreach import BusinessHours, OutreachOptions
from models.routing import RouteOptions
from models.support import TriageOptions


def triage_options(settings: TriageSettings) -> TriageOptions:
    return TriageOptions(
        threshold=settings.threshold,
        sla=timedelta(minutes=settings.sla_minutes),
        final_deadline=timedelta(minutes=settings.final_deadline_minutes),
        on_call=settings.on_call,
        allow=settings.reply_allowlist,
        signature=settings.signature,
        token_budget=settings.token_budget,
    )


def route_options(inbound: InboundSettings, triage: TriageSettings) -> RouteOptions:
    """What the mail router needs: the addresses that mean support and unsubscribe, and
    the options of the tickets it starts."""
    return RouteOptions(
        triage=triage_options(triage),
        support_address=inbound.support_address,
        unsubscribe_address=inbound.unsubscribe_address,
    )


def outreach_options(settings: OutreachSettings, timezone: str | None) -> OutreachOptions:
    """Options for one run; the lead's own time zone wins over the configured default."""
    return validated(
        OutreachOptions,
        {
            "hours": BusinessHours(
                timezone=settings.default_timezone,
                start_hour=settings.business_start_hour,
                end_hour=settings.business_end_hour,
            ).model_dump()
            | ({"timezone": timezone} if timezone else {}),
            "min_lead_time": timedelta(minutes=settings.min_lead_minutes),
            "follow_up_business_days": settings.follow_up_days,
            "human_tiers": settings.human_tiers,
            "threshold": settings.threshold,
            "send_welcome": settings.send_welcome,
            "sla": timedelta(minutes=settings.sla_minutes),
            "final_deadline": timedelta(minutes=settings.final_deadline_minutes),
            "on_call": settings.on_call,
            "touches_per_run": settings.touches_per_run,
            "token_budget": settings.token_budget,
            "link_hosts": settings.link_hosts,
        },
        "outreach settings",
    )
