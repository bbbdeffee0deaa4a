"""Activities of lead outreach: company research, touch drafting, sending and the CRM log.

Research reads a bounded set of pages (home plus a few about/product/pricing/press
links on the same host) through the same SSRF-guarded fetcher as enrichment. A page
that is refused, binary or unreachable is skipped and reported; only the home page is
required. What a visitor cannot see never becomes a fact (`visible_text`); the pages'
own sentences are ranked without the model (`fact_candidates`) and the model only
chooses among them, so every point is a sentence of a page. Drafting asks the model
for one sentence and keeps it only when it says nothing its points do not
(`policy.checks.claims`); otherwise the slot quotes the page. The workflow checks it all again.
"""

from dataclasses import dataclass

from temporalio import activity

from activities import metrics
from activities.postbox import Postbox
from activities.wrapping import adapter_errors, heartbeating
from adapters.crm.crm import Crm
from adapters.errors import Permanent, Transient
from adapters.web.fact_candidates import Candidate, rank
from adapters.web.page_text import looks_binary, pages_worth_reading
from adapters.web.safe_fetch import SafeFetcher
from adapters.web.site_meta import parse_site
from adapters.web.visible_text import visible_text
from agents.client import LlmClient, LlmOutputInvalid
from agents.outreach import choose_points, write_line
from models.agent_output import CallRecord, FactUse, OutreachDraft, PointChoice
from models.common import OutgoingEmail, SendResult
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
)
from policy.checks.claims import line_problems
from policy.checks.grounding import stems, support
from policy.checks.language import detect
from policy.touch_copy import (
    COPY,
    compose,
    ended,
    language_name,
    quoted,
    reader_voice,
    subject,
)

MAX_PAGE_CHARS = 1500
"""Visible text kept per page in the run's history: what a reviewer needs to see where
a point came from, little enough for a small payload."""
MIN_POINTS, MAX_POINTS = 3, 6
"""Points a brief keeps: the model's choice, topped up from the ranking when it chose
fewer (every candidate is a page's own sentence, so topping up invents nothing)."""
QUOTE_WORDS = 30
"""Longest page sentence worth quoting whole in an email."""
ATTEMPTS = 2
"""Points the model may rewrite before the email quotes the page: each try is a call."""
USED = 0.6
"""Share of a point's words in an earlier email of the thread that means it was used."""
AGENT_STEPS = frozenset({"research_company", "draft_outreach"})
"""The activities that call the model: the LLM endpoint's rate limit guards them."""


@dataclass(frozen=True)
class ResearchLimits:
    """`max_pages` from settings; a page is cut to `page_chars` in the run's history."""

    max_pages: int
    page_chars: int = MAX_PAGE_CHARS


@dataclass(frozen=True)
class ReadPage:
    excerpt: PageExcerpt
    links: list[str]
    texts: list[str]
    """The meta description, then the visible blocks in page order."""
    lang: str | None
    industry: str | None


def to_brief(
    choice: PointChoice | None, candidates: list[Candidate], industry: str | None, lang: str | None
) -> CompanyBrief:
    """The model's chosen sentences (ids S1…, unknown and repeated ids ignored) as points
    P1…, topped up from the ranking to `MIN_POINTS`; the summary is the point the model
    labelled "what they do", else the first."""
    by_id = {f"S{n}": c for n, c in enumerate(candidates, 1)}
    labels: dict[str, str] = {}
    for chosen in choice.points if choice else []:
        if chosen.id in by_id and chosen.id not in labels:
            labels[chosen.id] = chosen.label
    for sid in by_id:
        if len(labels) >= MIN_POINTS:
            break
        labels.setdefault(sid, "other")
    kept = list(labels)[:MAX_POINTS]
    points = [
        SourcedPoint(id=f"P{n}", text=by_id[sid].text, source_url=by_id[sid].source_url,
                     label=labels[sid])
        for n, sid in enumerate(kept, 1)
    ]  # fmt: skip
    considered = [
        SourcedPoint(id=sid, text=c.text, source_url=c.source_url)
        for sid, c in by_id.items()
        if sid not in kept
    ]
    summary = next((p.text for p in points if p.label == "what they do"), None)
    return CompanyBrief(
        summary=summary or (points[0].text if points else ""),
        industry=industry,
        likely_needs=[],
        talking_points=points,
        considered=considered,
        language=lang,
    )


def usable_points(points: list[SourcedPoint], company: str, message: str) -> list[SourcedPoint]:
    """The points an email may be built on, in research's order: short enough to quote
    whole, no price, link or phone number, not the lead's own words."""
    return [
        p for p in points
        if len(p.text.split()) <= QUOTE_WORDS
        and not line_problems(p.text, [p.text], company, message, quoting=True)
    ]  # fmt: skip


@dataclass
class OutreachActivities:
    llm: LlmClient
    fetcher: SafeFetcher
    crm: Crm
    postbox: Postbox
    limits: ResearchLimits

    async def _read(self, url: str) -> ReadPage:
        page = await self.fetcher.fetch(url)
        if looks_binary(page.text):
            raise Permanent("UnsupportedContent", "binary content served as HTML")
        seen = visible_text(page.text, page.url)
        meta = parse_site(page.text, page.url)
        blocks = [b.text for b in seen.blocks]
        excerpt = PageExcerpt(
            url=page.url,
            title=seen.title,
            text="\n".join(blocks)[: self.limits.page_chars],
            truncated=page.truncated,
        )
        texts = [meta.description or "", *blocks]
        return ReadPage(excerpt, seen.links, texts, seen.lang, meta.industry)

    async def _read_site(self, website: str) -> tuple[list[ReadPage], list[str]]:
        home = await self._read(website)
        pages, skipped = [home], []
        for url in pages_worth_reading(home.excerpt.url, home.links, self.limits.max_pages - 1):
            try:
                pages.append(await self._read(url))
            except (Permanent, Transient) as err:
                skipped.append(f"{url}: {err}")
        return pages, skipped

    @activity.defn(name="research_company")
    async def research_company(self, request: ResearchRequest) -> Researched:
        with adapter_errors():
            pages, skipped = await heartbeating(self._read_site(request.website))
        candidates = rank([(p.excerpt.url, p.texts) for p in pages], request.company)
        home = pages[0]
        lang = home.lang or detect(" ".join(c.text for c in candidates))
        choice, call = None, None
        if candidates:
            numbered = [(f"S{n}", c.text) for n, c in enumerate(candidates, 1)]
            with adapter_errors():
                try:
                    result = await heartbeating(choose_points(self.llm, request.company, numbered))
                except LlmOutputInvalid:
                    result = None
            if result is None:
                skipped.append("the model's choice was unusable: the top-ranked sentences kept")
            else:
                choice, call = result.output, result.record
                metrics.agent_call(call)
        brief = to_brief(choice, candidates, home.industry, lang)
        return Researched(brief=brief, pages=[p.excerpt for p in pages], skipped=skipped, call=call)

    @activity.defn(name="draft_outreach")
    async def draft_outreach(self, request: TouchDraftRequest) -> DraftedTouch:
        """The model rewrites one research point as a sentence to the lead, inside the fixed
        copy; a sentence that says more than its point (`line_problems`) gets one more try
        on the next point, then the slot quotes the page. Pages in another language are
        quoted at once: the embedded model's German was ungrammatical on the set."""
        brief = request.brief
        if brief is None or not brief.points:
            raise Permanent("NoSourcedFacts", "research kept no page sentence to write from")
        lead, follow_up = request.lead, request.kind != "first"
        lang = brief.language if brief.language in COPY else "en"
        earlier = "\n".join(t.body for t in request.previous)
        fresh = [p for p in brief.points if support(p.text, earlier) < USED] or brief.points
        order = usable_points(fresh, lead.company, lead.message) or fresh
        call: CallRecord | None = None
        problems: list[str] = []
        line = None
        for point in order[: ATTEMPTS if lang == "en" else 0]:
            with adapter_errors():
                result = await heartbeating(
                    write_line(
                        self.llm, lead.company, reader_voice(point.text), language_name(lang)
                    )
                )
            metrics.agent_call(result.record)
            call = result.record if call is None else call.then(result.record)
            line = ended(result.output.sentence.strip())
            found = line_problems(line, [point.text], lead.company, lead.message)
            if not found:
                chosen, sentence, problems = point, line, []
                break
            problems += [f"{point.id}: {p}" for p in found]
        else:
            chosen = order[0]
            sentence = quoted(lang, chosen.text)
        draft = OutreachDraft(
            subject=subject(lang, lead.company, follow_up),
            body=compose(lang, lead.name.split()[0], sentence, follow_up),
            facts=[FactUse(fact_id=chosen.id, claim=sentence)],
            confidence=round(support(sentence, chosen.text, stems(lead.company)), 3),
        )
        return DraftedTouch(draft=draft, call=call, line=line, replaced=problems)

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
