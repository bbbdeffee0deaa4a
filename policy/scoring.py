"""Lead scoring: explicit, versioned rules as a pure function.

Every rule reports its contribution (zero included), so the CRM and the status query
show why a lead landed in its tier. Bump `RULES_VERSION` whenever a rule changes:
the version is stored with each score.
"""

import re
from dataclasses import dataclass

from models.lead import FREE_MAIL_DOMAINS, CompanyProfile, LeadScore, LeadSubmission, RuleHit, Tier

RULES_VERSION = "2026.11-1"

SOURCE_POINTS = {
    "referral": 20,
    "partner": 15,
    "event": 10,
    "webinar": 10,
    "web_form": 5,
    "ad": 0,
    "other": 0,
}
BUYING_INTENT = re.compile(
    r"\b(pricing|price|quote|demo|trial|purchase|buy|rollout|evaluat\w*|budget|contract)\b", re.I
)
LOW_INTENT = re.compile(r"\b(student|thesis|homework|job|career|internship|resume)\b", re.I)


@dataclass(frozen=True)
class ScoringConfig:
    target_industries: tuple[str, ...]
    tier_a_min: int
    tier_b_min: int


def _size(profile: CompanyProfile) -> RuleHit:
    count = profile.employee_count
    if count is None:
        return RuleHit(rule="company_size", points=0, reason="employee count unknown")
    bands = ((1000, 30), (250, 25), (50, 20), (10, 10), (0, 5))
    points = next(p for floor, p in bands if count >= floor)
    return RuleHit(rule="company_size", points=points, reason=f"{count} employees")


def _industry(profile: CompanyProfile, config: ScoringConfig) -> RuleHit:
    industry = (profile.industry or "").lower()
    if not industry:
        return RuleHit(rule="industry_fit", points=0, reason="industry unknown")
    match = next((t for t in config.target_industries if t.lower() in industry), None)
    if match:
        return RuleHit(rule="industry_fit", points=25, reason=f"{industry!r} matches {match!r}")
    return RuleHit(rule="industry_fit", points=0, reason=f"{industry!r} not a target industry")


def _email_domain(lead: LeadSubmission) -> RuleHit:
    domain = lead.email_domain
    if domain in FREE_MAIL_DOMAINS:
        return RuleHit(rule="email_domain", points=-20, reason=f"free-mail address ({domain})")
    if lead.website is None:
        return RuleHit(rule="email_domain", points=0, reason="business address, no website given")
    if domain == lead.website_domain or domain.endswith("." + lead.website_domain):
        return RuleHit(rule="email_domain", points=10, reason="address on the company's domain")
    return RuleHit(rule="email_domain", points=0, reason="business address, other domain")


def _source(lead: LeadSubmission) -> RuleHit:
    return RuleHit(rule="source", points=SOURCE_POINTS[lead.source], reason=lead.source)


def _keywords(lead: LeadSubmission) -> RuleHit:
    intent = sorted({m.lower() for m in BUYING_INTENT.findall(lead.message)})
    low = sorted({m.lower() for m in LOW_INTENT.findall(lead.message)})
    points = (15 if intent else 0) - (15 if low else 0)
    words = ", ".join(intent + low) or "no signal words"
    return RuleHit(rule="message_keywords", points=points, reason=words)


def tier_for(points: int, config: ScoringConfig) -> Tier:
    if points >= config.tier_a_min:
        return "A"
    if points >= config.tier_b_min:
        return "B"
    return "C"


def score_lead(lead: LeadSubmission, profile: CompanyProfile, config: ScoringConfig) -> LeadScore:
    hits = [
        _size(profile),
        _industry(profile, config),
        _email_domain(lead),
        _source(lead),
        _keywords(lead),
    ]
    points = max(0, min(100, sum(hit.points for hit in hits)))
    return LeadScore(
        points=points, tier=tier_for(points, config), rules_version=RULES_VERSION, hits=hits
    )
