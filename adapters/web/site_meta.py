"""Company facts from a home page: title, meta/OpenGraph, JSON-LD Organization, social links.

Built on the stdlib HTML parser: pages are untrusted, so the parser never executes
anything, tolerates broken markup and ignores JSON-LD blocks that do not parse.
"""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from adapters.web.page_text import readable

SOCIAL_HOSTS = (
    "linkedin.com",
    "twitter.com",
    "x.com",
    "github.com",
    "facebook.com",
    "youtube.com",
    "instagram.com",
    "mastodon.social",
)
ORGANIZATION_TYPES = {"organization", "corporation", "localbusiness", "ngo", "onlinebusiness"}
MAX_TEXT = 2000
# The largest employers have about 2-3 million staff, so anything above 10 million is a
# typo or garbage; it must not reach SQLite, whose integers overflow past 2**63.
MAX_EMPLOYEES = 10_000_000
MAX_NESTING = 3


@dataclass
class SiteMeta:
    title: str | None = None
    description: str | None = None
    site_name: str | None = None
    industry: str | None = None
    employee_count: int | None = None
    social_links: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.json_ld: list[str] = []
        self.links: list[str] = []
        self._in_title = False
        self._ld_parts: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (attr.get("property") or attr.get("name") or "").lower()
            if key and "content" in attr:
                self.meta.setdefault(key, attr["content"].strip())
        elif tag == "script" and attr.get("type", "").lower() == "application/ld+json":
            self._ld_parts = []
        elif tag == "a" and attr.get("href"):
            try:
                self.links.append(urljoin(self.base_url, attr["href"]))
            except ValueError:  # e.g. `http://[::1`: one broken link must not lose the page
                pass

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "script" and self._ld_parts is not None:
            self.json_ld.append("".join(self._ld_parts))
            self._ld_parts = None

    def handle_data(self, data: str) -> None:
        if self._ld_parts is not None:
            self._ld_parts.append(data)
        elif self._in_title:
            self.title_parts.append(data)


def _organizations(blob: str) -> list[dict[str, Any]]:
    """Blocks that do not parse are skipped, and so is one nested past the parser's
    recursion limit (`[[[[...`, a few kilobytes)."""
    try:
        data = json.loads(blob)
    except (ValueError, RecursionError):
        return []
    nodes = data if isinstance(data, list) else [data]
    found: list[dict[str, Any]] = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("@graph"), list):
            found.extend(n for n in node["@graph"] if isinstance(n, dict) and _is_org(n))
        elif _is_org(node):
            found.append(node)
    return found


def _is_org(node: dict[str, Any]) -> bool:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.lower() in ORGANIZATION_TYPES for k in kinds)


def _employee_count(value: Any) -> int | None:
    """Read numberOfEmployees in its usual shapes: 120, "120", "50-200", QuantitativeValue.

    The page is untrusted, so only a count in 1..MAX_EMPLOYEES survives; anything else
    (0, negative, huge, NaN, infinity) becomes None instead of failing intake later.
    """
    count = _raw_employee_count(value)
    return count if count is not None and 1 <= count <= MAX_EMPLOYEES else None


def _raw_employee_count(value: Any, depth: int = 0) -> int | None:
    """A QuantitativeValue holds a number, not another one: nesting past `MAX_NESTING`
    is garbage, and deep enough it would exhaust the stack."""
    if isinstance(value, dict):
        if depth >= MAX_NESTING:
            return None
        for key in ("value", "maxValue", "minValue"):
            if key in value:
                return _raw_employee_count(value[key], depth + 1)
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if 1 <= value <= MAX_EMPLOYEES else None
    if isinstance(value, str):
        digits = [n.lstrip("0") or "0" for n in re.findall(r"\d+", value.replace(",", ""))]
        if any(len(n) > len(str(MAX_EMPLOYEES)) for n in digits):
            return None  # also keeps int() away from 5,000-digit strings, which it refuses
        return max((int(n) for n in digits), default=None)
    return None


def _clip(text: str | None) -> str | None:
    """One line of printable text: names and descriptions go to the CRM and to mail."""
    if not text:
        return None
    return readable(text)[:MAX_TEXT] or None


def _is_social(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:  # sameAs is the page's word: `http://[::1` is no profile
        return False
    return parts.scheme in ("http", "https") and any(
        host == h or host.endswith("." + h) for h in SOCIAL_HOSTS
    )


def parse_site(html: str, base_url: str) -> SiteMeta:
    collector = _Collector(base_url)
    collector.feed(html)
    collector.close()
    meta = collector.meta
    orgs = [org for blob in collector.json_ld for org in _organizations(blob)]
    org = orgs[0] if orgs else {}
    same_as = org.get("sameAs", [])
    same_as = same_as if isinstance(same_as, list) else [same_as]
    candidates = [s for s in same_as if isinstance(s, str)] + collector.links
    social = list(dict.fromkeys(link for link in candidates if _is_social(link)))
    industry = org.get("industry") or meta.get("og:industry")
    return SiteMeta(
        title=_clip("".join(collector.title_parts)),
        description=_clip(
            _str(org.get("description")) or meta.get("og:description") or meta.get("description")
        ),
        site_name=_clip(_str(org.get("name")) or meta.get("og:site_name")),
        industry=_clip(_str(industry)),
        employee_count=_employee_count(org.get("numberOfEmployees")),
        social_links=social[:10],
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
