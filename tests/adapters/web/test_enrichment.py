"""Enrichment providers: the website reader and a third-party API, same output model."""

import json

import pytest

from adapters.errors import Permanent, Transient
from adapters.web.enrichment import ApiEnrichment, WebsiteEnrichment
from adapters.web.safe_fetch import FetchPolicy, SafeFetcher
from tests.conftest import LoopbackSite

HOST = "acme.example"
POLICY = FetchPolicy(allow_hosts=frozenset({HOST}), static_hosts={HOST: "127.0.0.1"})
HOME = """<title>Acme</title><script type="application/ld+json">
{"@type": "Organization", "name": "Acme Robotics", "industry": "Robotics", "numberOfEmployees": 55}
</script>"""


async def test_website_enrichment_builds_a_profile(site: LoopbackSite):
    site.html("/", HOME)
    profile = await WebsiteEnrichment(SafeFetcher(POLICY)).enrich(site.url("/", host=HOST), HOST)
    assert (profile.name, profile.industry, profile.employee_count) == (
        "Acme Robotics",
        "Robotics",
        55,
    )
    assert profile.source == "website" and profile.fetched_url == site.url("/", host=HOST)


def api(site: LoopbackSite) -> ApiEnrichment:
    return ApiEnrichment(
        f"http://127.0.0.1:{site.port}/v1/companies?domain={{domain}}",
        "X-Api-Key",
        "k-123",
        timeout_s=2,
    )


def reply(site: LoopbackSite, status: int, body: object) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    site.routes[f"/v1/companies?domain={HOST}"] = (
        status,
        {"Content-Type": "application/json"},
        raw,
    )


async def test_api_fields_and_aliases_map_to_the_profile(site: LoopbackSite):
    reply(
        site,
        200,
        {
            "name": "Acme",
            "sector": "Robotics",
            "employees": 120,
            "profiles": ["https://x.com/acme"],
        },
    )
    profile = await api(site).enrich("https://acme.example", HOST)
    assert (profile.industry, profile.employee_count, profile.social_links) == (
        "Robotics",
        120,
        ["https://x.com/acme"],
    )
    assert profile.source == "api"
    assert site.requests[0][1]["X-Api-Key"] == "k-123"


@pytest.mark.parametrize("status", [401, 403, 404])
async def test_api_client_errors_are_permanent(site: LoopbackSite, status: int):
    reply(site, status, {"error": "no"})
    with pytest.raises(Permanent) as refused:
        await api(site).enrich("https://acme.example", HOST)
    assert refused.value.kind == "EnrichmentRejected"


@pytest.mark.parametrize("status", [429, 500, 502])
async def test_api_overload_is_transient(site: LoopbackSite, status: int):
    reply(site, status, {"error": "later"})
    with pytest.raises(Transient):
        await api(site).enrich("https://acme.example", HOST)


@pytest.mark.parametrize("body", [b"<html>oops</html>", {"employees": "many"}, [1, 2]])
async def test_api_garbage_is_permanent(site: LoopbackSite, body: object):
    reply(site, 200, body)
    with pytest.raises(Permanent) as refused:
        await api(site).enrich("https://acme.example", HOST)
    assert refused.value.kind == "EnrichmentMalformed"


@pytest.mark.parametrize("employees", [99999999999999999999, 0])
async def test_api_absurd_employee_count_is_dropped(site: LoopbackSite, employees: int):
    """Like a page's JSON-LD, a provider's huge count must not overflow SQLite at intake."""
    reply(site, 200, {"name": "Acme", "employees": employees})
    profile = await api(site).enrich("https://acme.example", HOST)
    assert profile.name == "Acme" and profile.employee_count is None
