"""Readable text and follow-worthy links of an untrusted HTML page, for the research agent.

Scripts, styles and other non-content elements are dropped; what is left is collapsed
whitespace, capped in length. Links are kept only on the page's own host, and only
those that look like about, product, pricing or customer pages: research reads a
bounded, predictable set of pages, never a crawl.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

SKIPPED_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
BLOCK_TAGS = {"p", "div", "section", "article", "li", "br", "h1", "h2", "h3", "h4", "tr", "footer"}
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


@dataclass(frozen=True)
class PageText:
    title: str | None
    text: str
    links: list[str]


class _Reader(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.parts: list[str] = []
        self.title: list[str] = []
        self.links: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                try:
                    self.links.append(urldefrag(urljoin(self.base_url, href)).url)
                except ValueError:  # e.g. `http://[::1`: a link no one can follow
                    pass

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in SKIPPED_TAGS and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip_depth:
            self.parts.append(data)


def looks_binary(text: str) -> bool:
    if not text:
        return False
    odd = text.count("\x00") + text.count("\ufffd")
    return odd / len(text) > BINARY_SHARE


def read_page(html: str, base_url: str, max_chars: int) -> PageText:
    reader = _Reader(base_url)
    reader.feed(html)
    reader.close()
    lines = (readable(line) for line in "".join(reader.parts).splitlines())
    text = "\n".join(line for line in lines if line)
    title = readable("".join(reader.title))[:MAX_TITLE] or None
    return PageText(title=title, text=text[:max_chars], links=reader.links)


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
