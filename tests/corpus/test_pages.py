"""Hostile home pages through the two readers: enrichment's `parse_site` and research's
`visible_text` (with `pages_worth_reading` and `looks_binary`).

For every page: no exception, bounded time, every text field bounded, one line where it
is a name, valid Unicode without control characters (it goes to the CRM, mail and
prompts), employee counts in range, links that a URL parser accepts, and a
`CompanyProfile` built as enrichment builds it that fits a workflow payload.
"""

import time
import unicodedata
from urllib.parse import urlsplit

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter

from adapters.web.page_text import MAX_TITLE, looks_binary, pages_worth_reading
from adapters.web.site_meta import MAX_EMPLOYEES, MAX_TEXT, parse_site
from adapters.web.visible_text import visible_text
from models.lead import CompanyProfile
from tests.corpus.pages import BASE_URL, PageCase, page_corpus

CORPUS = page_corpus()
PAGE_CHARS = 6000
SECONDS = 3.0
MAX_PAYLOAD_BYTES = 256_000


def clean(text: str | None, limit: int, lines: bool = False) -> bool:
    """Bounded, encodable, and free of control characters (line breaks only in body text)."""
    if text is None:
        return True
    allowed = {"\n"} if lines else set()
    controls = [c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in allowed]
    return len(text) <= limit and not controls and text == text.encode("utf-8").decode()


def parseable(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.label)
def test_enrichment_reads_each_page_into_a_valid_profile(case: PageCase):
    started = time.perf_counter()
    meta = parse_site(case.html, BASE_URL)
    assert time.perf_counter() - started < SECONDS, f"{case.label}: too slow"
    for text in (meta.title, meta.description, meta.site_name, meta.industry):
        assert clean(text, MAX_TEXT), f"{case.label}: {text!r:.80}"
    assert meta.employee_count is None or 1 <= meta.employee_count <= MAX_EMPLOYEES
    assert len(meta.social_links) <= 10 and all(parseable(u) for u in meta.social_links)
    profile = CompanyProfile(
        domain="northwind-robotics.example", name=meta.site_name or meta.title,
        description=meta.description, industry=meta.industry,
        employee_count=meta.employee_count, social_links=meta.social_links,
        source="website", fetched_url=BASE_URL,
    )  # fmt: skip
    payload = pydantic_data_converter.payload_converter.to_payloads([profile])[0]
    assert len(payload.data) < MAX_PAYLOAD_BYTES, case.label


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.label)
def test_research_reads_each_page_into_bounded_text_and_links(case: PageCase):
    started = time.perf_counter()
    looks_binary(case.html)
    seen = visible_text(case.html, BASE_URL)
    text = "\n".join(block.text for block in seen.blocks)[:PAGE_CHARS]  # as research keeps it
    chosen = pages_worth_reading(BASE_URL, seen.links, 3)
    assert time.perf_counter() - started < SECONDS, f"{case.label}: too slow"
    assert clean(seen.title, MAX_TITLE) and clean(text, PAGE_CHARS, lines=True), case.label
    assert all(clean(block.text, len(block.text)) for block in seen.blocks), case.label
    for link in seen.links:
        urlsplit(link)  # research splits every link it was given; none may raise
    home = urlsplit(BASE_URL).hostname
    assert len(chosen) <= 3 and all(parseable(u) and urlsplit(u).hostname == home for u in chosen)
