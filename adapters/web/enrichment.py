"""Enrichment providers: one protocol, a website reader (default) and a third-party API."""

from typing import Any, Protocol

import httpx
from pydantic import AliasChoices, BaseModel, Field, ValidationError, field_validator

from adapters.errors import Permanent, Transient
from adapters.web.safe_fetch import SafeFetcher
from adapters.web.site_meta import MAX_EMPLOYEES, parse_site
from models.lead import CompanyProfile


class EnrichmentProvider(Protocol):
    name: str

    async def enrich(self, website: str, domain: str) -> CompanyProfile: ...


class WebsiteEnrichment:
    """Reads the company's own home page through the SSRF-guarded fetcher."""

    name = "website"

    def __init__(self, fetcher: SafeFetcher) -> None:
        self._fetcher = fetcher

    async def enrich(self, website: str, domain: str) -> CompanyProfile:
        page = await self._fetcher.fetch(website)
        meta = parse_site(page.text, page.url)
        return CompanyProfile(
            domain=domain,
            name=meta.site_name or meta.title,
            description=meta.description,
            industry=meta.industry,
            employee_count=meta.employee_count,
            social_links=meta.social_links,
            source="website",
            fetched_url=page.url,
        )


class _ApiCompany(BaseModel):
    """The provider's answer; aliases accept the field names common enrichment APIs use."""

    name: str | None = None
    description: str | None = None
    industry: str | None = Field(default=None, validation_alias=AliasChoices("industry", "sector"))
    employee_count: int | None = Field(
        default=None,
        validation_alias=AliasChoices("employee_count", "employees", "headcount"),
    )
    social_links: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("social_links", "profiles")
    )

    @field_validator("employee_count")
    @classmethod
    def _sane_count(cls, count: int | None) -> int | None:
        """An implausible count is dropped, not stored: SQLite overflows past 2**63."""
        return count if count is not None and 1 <= count <= MAX_EMPLOYEES else None


class ApiEnrichment:
    """Calls a third-party enrichment HTTP API (URL template + auth header from config)."""

    name = "api"

    def __init__(
        self,
        url_template: str,
        auth_header: str,
        api_key: str | None,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url_template = url_template
        self._headers = {auth_header: api_key} if api_key else {}
        self._timeout = httpx.Timeout(timeout_s)
        self._transport = transport
        self._tls = httpx.create_ssl_context()
        """Made once, not per call: loading the CA bundle costs 15 ms of CPU."""

    async def enrich(self, website: str, domain: str) -> CompanyProfile:
        url = self._url_template.format(domain=domain)
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, transport=self._transport, verify=self._tls
            ) as client:
                response = await client.get(url, headers=self._headers)
        except httpx.HTTPError as err:
            raise Transient(f"enrichment API unreachable: {err}") from err
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(f"enrichment API answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise Permanent("EnrichmentRejected", f"enrichment API answered {response.status_code}")
        company = _parse_company(response)
        return CompanyProfile(
            domain=domain,
            name=company.name,
            description=(company.description or "")[:2000] or None,
            industry=company.industry,
            employee_count=company.employee_count,
            social_links=company.social_links[:10],
            source="api",
            fetched_url=url,
        )


def _parse_company(response: httpx.Response) -> _ApiCompany:
    try:
        payload: Any = response.json()
        return _ApiCompany.model_validate(payload)
    except (ValueError, ValidationError) as err:
        raise Permanent("EnrichmentMalformed", f"enrichment API returned bad data: {err}") from err
