"""What research may do with an untrusted page: tell binary from text, make text one
printable line, and choose which of its links to follow.

Links are followed only on the page's own host, and only those that look like about,
product, pricing, press or customer pages: research reads a bounded, predictable set
of pages, never a crawl. The page's visible text and links come from `visible_text`.
"""

import re
from urllib.parse import urlsplit

WORTH_READING = re.compile(
    r"about|company|team|product|platform|solution|feature|pricing|plans|customer|case|press"
    r"|news|story|services|leistungen|unternehmen|ueber-uns|uber-uns|qui-sommes|a-propos",
    re.I,
)
NOT_WORTH_READING = re.compile(r"impressum|imprint|privacy|datenschutz|legal|terms|cookie", re.I)
"""Legal pages match the words above ("impressum" holds "press") and say nothing of use."""
BINARY_SHARE = 0.02
"""Above this share of NUL or undecodable characters, a 'text/html' page is binary."""
MAX_TITLE = 300
"""A `<title>` never closed runs to the end of the page: up to the fetch cap, a megabyte
in the workflow payload and the prompt."""
UNREADABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters and lone surrogates (a page 'encoded' as `unicode_escape` makes
them): text that goes on to prompts, the CRM and mail must be printable Unicode."""


def readable(text: str) -> str:
    """One line of `text`: whitespace collapsed, control characters and surrogates dropped."""
    return UNREADABLE.sub("", " ".join(text.split()))


def looks_binary(text: str) -> bool:
    if not text:
        return False
    odd = text.count("\x00") + text.count("\ufffd")
    return odd / len(text) > BINARY_SHARE


def pages_worth_reading(home_url: str, links: list[str], limit: int) -> list[str]:
    """Same-host links whose path names an about/product/pricing-like page, in page order."""
    home = urlsplit(home_url)
    chosen: list[str] = []
    for link in links:
        parts = urlsplit(link)
        same_site = parts.scheme in ("http", "https") and parts.netloc == home.netloc
        if not same_site or parts.path.rstrip("/") == home.path.rstrip("/"):
            continue
        worth = WORTH_READING.search(parts.path) and not NOT_WORTH_READING.search(parts.path)
        if worth and link not in chosen:
            chosen.append(link)
        if len(chosen) >= limit:
            break
    return chosen
