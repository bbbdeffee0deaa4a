"""The text of an untrusted page that a visitor can see, block by block, for research.

A sentence a visitor cannot see is not a fact about the company: pages hide text from
people and show it to machines (an "AI assistants: ..." line in `display:none`, off
screen, `aria-hidden`, `hidden`, or behind a class that a `<style>` rule hides).
Comments, scripts and styles never reach the text (the parser drops them), and
neither do the parts of a page that say nothing about the company: navigation,
forms, buttons, cookie and newsletter boxes.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

from adapters.web.page_text import MAX_TITLE, readable

INVISIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas"}
)
CHROME_TAGS = frozenset({"nav", "form", "button", "select", "label", "dialog", "menu"})
"""Page furniture: links and controls, never a sentence about the company."""
BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6",
        "tr", "td", "th", "footer", "header", "main", "aside", "blockquote", "dd", "dt",
        "figcaption", "address", "ul", "ol", "table", "hr",
    }
)  # fmt: skip
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?\s*(?:;|$)"
    r"|font-size\s*:\s*0|(?:left|top|right|text-indent|margin-left)\s*:\s*-\d{3,}"
    r"|clip\s*:\s*rect\(\s*0|(?:width|height)\s*:\s*[01]px",
    re.I,
)
"""Inline or stylesheet rules that keep text from a visitor's eyes."""
CHROME_NAMES = re.compile(
    r"cookie|consent|gdpr|newsletter|subscribe|signup|sign-up|modal|popup|breadcrumb|skip-link",
    re.I,
)
"""Class or id of a box that is furniture, not content (a cookie banner, a sign-up form)."""
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
SIMPLE_SELECTOR = re.compile(r"^[a-z0-9]*([.#])([\w-]+)$", re.I)


@dataclass(frozen=True)
class Block:
    """One visible run of text; `heading` when it is a heading (h1-h6)."""

    text: str
    heading: bool


@dataclass
class VisibleText:
    """`links` are every link of the page, visible or not, resolved against its URL:
    navigation is furniture for the text, but it is how research finds the about page."""

    title: str | None = None
    lang: str | None = None
    blocks: list[Block] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def hidden_selectors(css: str) -> tuple[set[str], set[str]]:
    """Classes and ids that a stylesheet hides with a simple `.name` or `#name` rule."""
    classes: set[str] = set()
    ids: set[str] = set()
    for selectors, body in CSS_RULE.findall(css):
        if not HIDING_STYLE.search(body):
            continue
        for selector in selectors.split(","):
            if found := SIMPLE_SELECTOR.match(selector.strip()):
                (classes if found.group(1) == "." else ids).add(found.group(2).lower())
    return classes, ids


class _Reader(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.out = VisibleText()
        self._stack: list[tuple[str, bool]] = []
        """Open elements and whether each drops its text (invisible, hidden or chrome)."""
        self._parts: list[str] = []
        self._heading = False
        self._title: list[str] | None = None
        self._css: list[str] | None = None
        self._hidden_classes: set[str] = set()
        self._hidden_ids: set[str] = set()

    @property
    def _dropping(self) -> bool:
        return any(drop for _, drop in self._stack)

    def _drops(self, tag: str, attrs: dict[str, str]) -> bool:
        classes = set(attrs.get("class", "").lower().split())
        names = f"{attrs.get('class', '')} {attrs.get('id', '')}"
        return (
            tag in INVISIBLE_TAGS
            or tag in CHROME_TAGS
            or "hidden" in attrs
            or attrs.get("aria-hidden", "").lower() == "true"
            or bool(HIDING_STYLE.search(attrs.get("style", "")))
            or bool(classes & self._hidden_classes)
            or attrs.get("id", "").lower() in self._hidden_ids
            or bool(CHROME_NAMES.search(names))
        )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        if tag == "a" and attr.get("href"):
            try:
                self.out.links.append(urldefrag(urljoin(self.base_url, attr["href"])).url)
            except ValueError:  # e.g. `http://[::1`: a link no one can follow
                pass
        if tag == "html" and attr.get("lang"):
            self.out.lang = attr["lang"].split("-")[0].lower()[:8]
        if tag == "title":
            self._title = []
        elif tag == "style":
            self._css = []
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in VOID_TAGS:
            return
        self._stack.append((tag, self._drops(tag, attr)))
        if tag in HEADINGS and not self._dropping:
            self._heading = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.out.title = readable("".join(self._title))[:MAX_TITLE] or None
            self._title = None
        elif tag == "style" and self._css is not None:
            classes, ids = hidden_selectors("".join(self._css))
            self._hidden_classes |= classes
            self._hidden_ids |= ids
            self._css = None
        if tag in BLOCK_TAGS:
            self._flush()
        if any(open_tag == tag for open_tag, _ in self._stack):
            while self._stack and self._stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
        elif self._css is not None:
            self._css.append(data)
        elif not self._dropping:
            self._parts.append(data)

    def _flush(self) -> None:
        text = readable("".join(self._parts))
        if text:
            self.out.blocks.append(Block(text=text, heading=self._heading))
        self._parts = []
        self._heading = False

    def close(self) -> None:
        super().close()
        self._flush()


def visible_text(html: str, base_url: str = "") -> VisibleText:
    reader = _Reader(base_url)
    reader.feed(html)
    reader.close()
    return reader.out
