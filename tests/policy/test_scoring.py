"""Lead scoring rules, one by one, and the tiers they add up to."""

import pytest

from models.lead import CompanyProfile
from policy.scoring import RULES_VERSION, ScoringConfig, score_lead, tier_for
from tests.workflows.fakes import make_lead

CONFIG = ScoringConfig(target_industries=("robotics", "software"), tier_a_min=60, tier_b_min=30)


def profile(**fields: object) -> CompanyProfile:
    return CompanyProfile.model_validate(
        {"domain": "northwind-robotics.example", "source": "website", **fields}
    )


def hit(rule: str, lead=None, prof=None):
    result = score_lead(lead or make_lead(), prof or profile(), CONFIG)
    return next(h for h in result.hits if h.rule == rule)


@pytest.mark.parametrize(
    ("employees", "points"),
    [(None, 0), (3, 5), (10, 10), (49, 10), (50, 20), (250, 25), (999, 25), (1000, 30)],
)
def test_company_size_bands(employees: int | None, points: int):
    assert hit("company_size", prof=profile(employee_count=employees)).points == points


def test_industry_fit_matches_target_list_by_substring():
    assert hit("industry_fit", prof=profile(industry="Industrial Robotics")).points == 25
    assert hit("industry_fit", prof=profile(industry="Bakery")).points == 0
    assert hit("industry_fit", prof=profile()).reason == "industry unknown"


def test_email_domain_rule():
    assert hit("email_domain", lead=make_lead(email="a@gmail.com")).points == -20
    assert hit("email_domain", lead=make_lead(email="a@northwind-robotics.example")).points == 10
    assert hit("email_domain", lead=make_lead(email="a@other.example")).points == 0


@pytest.mark.parametrize(
    ("source", "points"),
    [("referral", 20), ("partner", 15), ("webinar", 10), ("web_form", 5), ("ad", 0)],
)
def test_source_points(source: str, points: int):
    assert hit("source", lead=make_lead(source=source)).points == points


@pytest.mark.parametrize(
    ("message", "points"),
    [
        ("We need pricing and a demo", 15),
        ("I'm a student writing a thesis", -15),
        ("Student asking for a price quote", 0),
        ("Hello there", 0),
    ],
)
def test_message_keywords(message: str, points: int):
    assert hit("message_keywords", lead=make_lead(message=message)).points == points


def test_every_rule_reports_and_the_sum_is_the_score():
    result = score_lead(
        make_lead(message="hello", source="web_form"), profile(employee_count=60), CONFIG
    )
    assert [h.rule for h in result.hits] == [
        "company_size",
        "industry_fit",
        "email_domain",
        "source",
        "message_keywords",
    ]
    assert result.points == sum(h.points for h in result.hits) == 35
    assert result.tier == "B" and result.rules_version == RULES_VERSION


def test_score_is_clamped():
    low = score_lead(
        make_lead(email="x@gmail.com", source="ad", message="student job"), profile(), CONFIG
    )
    high = score_lead(make_lead(), profile(employee_count=5000, industry="robotics"), CONFIG)
    assert low.points == 0 and high.points == 100


@pytest.mark.parametrize(("points", "tier"), [(60, "A"), (59, "B"), (30, "B"), (29, "C"), (0, "C")])
def test_tier_thresholds_come_from_config(points: int, tier: str):
    assert tier_for(points, CONFIG) == tier
