"""Activities of lead outreach: company research, touch drafting, sending and the CRM log.

Research reads a bounded set of pages (home plus a few about/product/pricing links on
the same host) through the same SSRF-guarded fetcher as enrichment. A page that is
refused, binary or unreachable is skipped and reported; only the home page is
required. Brief points that name a page which was not read, or whose words are not
on that page, are dropped here, before the workflow ever sees them.
"""

from dataclasses import dataclass

from temporalio import activity

from activities import metrics
from activities.crm import Crm
from activities.errors import Permanent, Transient
from activities.page_text import looks_binary, pages_worth_reading, read_page
from activities.postbox import Postbox
from activities.safe_fetch import SafeFetcher
from activities.wrapping import adapter_errors, heartbeating
from agents.client import LlmClient
from agents.outreach import MAX_PAGE_CHARS, draft_touch, research
from models.agent_output import BriefDraft
from models.common import OutgoingEmail, SendResult
from models.grounding import stems, support
from models.outreach import (
    CompanyBrief,
    DraftedTouch,
    PageExcerpt,
    Researched,
    ResearchRequest,
    SourcedPoint,
    TimelineEvent,
    TouchDraftRequest,
    TouchEmail,
    known_facts,
)

MIN_PAGE_SUPPORT = 0.5
"""Share of a brief point's words that must appear on the page it names."""
AGENT_STEPS = frozenset({"research_company", "draft_outreach"})
"""The activities that call the model: the LLM endpoint's rate limit guards them."""


@dataclass(frozen=True)
class ResearchLimits:
    """`max_pages` from settings; a page is cut to what the research prompt shows of it."""

    max_pages: int
    page_chars: int = MAX_PAGE_CHARS


def to_brief(draft: BriefDraft, pages: list[PageExcerpt], company: str) -> tuple[CompanyBrief, int]:
    """Number the points (P1, P2, …), keeping only those whose page was read and whose
    words mostly appear on that page; returns the brief and how many points were dropped."""
    text_of = {page.url: f"{page.title or ''}\n{page.text}" for page in pages}
    free = stems(company)
    kept: dict[str, list[SourcedPoint]] = {"needs": [], "talking": []}
    dropped = 0
    number = 0
    for group, points in (("needs", draft.likely_needs), ("talking", draft.talking_points)):
        for point in points:
            page = text_of.get(point.source_url)
            if page is None or support(point.text, page, free) < MIN_PAGE_SUPPORT:
                dropped += 1
                continue
            number += 1
            kept[group].append(
                SourcedPoint(id=f"P{number}", text=point.text, source_url=point.source_url)
            )
    brief = CompanyBrief(
        summary=draft.summary,
        industry=draft.industry,
        likely_needs=kept["needs"],
        talking_points=kept["talking"],
    )
    return brief, dropped


@dataclass
class OutreachActivities:
    llm: LlmClient
    fetcher: SafeFetcher
    crm: Crm
    postbox: Postbox
    limits: ResearchLimits

    async def _read(self, url: str) -> tuple[PageExcerpt, list[str]]:
        page = await self.fetcher.fetch(url)
        if looks_binary(page.text):
            raise Permanent("UnsupportedContent", "binary content served as HTML")
        text = read_page(page.text, page.url, self.limits.page_chars)
        excerpt = PageExcerpt(
            url=page.url, title=text.title, text=text.text, truncated=page.truncated
        )
        return excerpt, text.links

    async def _read_site(self, website: str) -> tuple[list[PageExcerpt], list[str]]:
        home, links = await self._read(website)
        pages, skipped = [home], []
        for url in pages_worth_reading(home.url, links, self.limits.max_pages - 1):
            try:
                pages.append((await self._read(url))[0])
            except (Permanent, Transient) as err:
                skipped.append(f"{url}: {err}")
        return pages, skipped

    @activity.defn(name="research_company")
    async def research_company(self, request: ResearchRequest) -> Researched:
        with adapter_errors():
            pages, skipped = await heartbeating(self._read_site(request.website))
            result = await heartbeating(
                research(self.llm, request.company, [(p.url, p.title, p.text) for p in pages])
            )
        metrics.agent_call(result.record)
        brief, dropped = to_brief(result.output, pages, request.company)
        if dropped:
            skipped.append(f"{dropped} brief point(s) not found on the page they name: dropped")
        return Researched(brief=brief, pages=pages, skipped=skipped, call=result.record)

    @activity.defn(name="draft_outreach")
    async def draft_outreach(self, request: TouchDraftRequest) -> DraftedTouch:
        facts = known_facts(request.lead, request.profile, request.brief)
        what = (
            "a first email"
            if request.kind == "first"
            else f"follow-up number {request.number - 1} (they have not replied yet)"
        )
        with adapter_errors():
            result = await heartbeating(
                draft_touch(
                    self.llm,
                    what,
                    request.lead.name.split()[0],
                    request.lead.company,
                    [(f.id, f.text, f.source_url) for f in facts],
                    [(t.subject, t.body) for t in request.previous],
                )
            )
        metrics.agent_call(result.record)
        return DraftedTouch(draft=result.output, call=result.record)

    @activity.defn(name="send_outreach_email")
    async def send_outreach_email(self, email: TouchEmail) -> SendResult:
        message = OutgoingEmail(
            to=email.to,
            subject=email.touch.subject,
            body=email.touch.body,
            idempotency_key=email.idempotency_key,
        )
        with adapter_errors():
            return await heartbeating(
                self.postbox.send(message, activity.info().workflow_id, "outreach")
            )

    @activity.defn(name="record_outreach_event")
    async def record_outreach_event(self, event: TimelineEvent) -> bool:
        with adapter_errors():
            return await self.crm.add_event(
                event.contact_id, event.event_key, event.kind, dict(event.detail)
            )

    def definitions(self) -> list:
        return [
            self.research_company,
            self.draft_outreach,
            self.send_outreach_email,
            self.record_outreach_event,
        ]
