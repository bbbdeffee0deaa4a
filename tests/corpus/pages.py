"""The web-page corpus: home pages as the fetcher hands them over, most of them hostile.

One demo home page is damaged byte by byte (then decoded as the fetcher decodes, UTF-8
with replacement), its JSON-LD Organization is mutated key by key, and hand-written
pages add broken markup, huge attributes, numbers past every limit, links no URL
parser accepts and text that is not Unicode.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from tests.corpus.mutate import Mutant, byte_mutants, field_mutants

HOME = (
    Path(__file__).parents[2] / "examples/sites/northwind-robotics.example/index.html"
).read_text()
BASE_URL = "https://northwind-robotics.example/"
ORGANIZATION = {
    "@context": "https://schema.org",
    "@type": "Organization",
    "name": "Northwind Robotics",
    "industry": "Robotics",
    "description": "Autonomous picking arms.",
    "numberOfEmployees": {"@type": "QuantitativeValue", "value": 320},
    "sameAs": ["https://www.linkedin.com/company/northwind-robotics"],
}


@dataclass(frozen=True)
class PageCase:
    label: str
    html: str


def page(json_ld: str = "", head: str = "", body: str = "<p>Picking, solved.</p>") -> str:
    script = f'<script type="application/ld+json">{json_ld}</script>' if json_ld else ""
    return f"<html><head><title>Northwind</title>{head}{script}</head><body>{body}</body></html>"


def org(**changes: object) -> str:
    return json.dumps(ORGANIZATION | changes, allow_nan=True)


def _nested_values(depth: int) -> str:
    return org(numberOfEmployees=json.loads('{"value": ' * depth + "5" + "}" * depth))


HAND_WRITTEN: dict[str, str] = {
    "employees 1e400": page(org().replace('{"@type": "QuantitativeValue", "value": 320}', "1e400")),
    "employees of 5000 digits": page(org(numberOfEmployees="9" * 5000)),
    "employees 10**20": page(org(numberOfEmployees=10**20)),
    "employees -5": page(org(numberOfEmployees=-5)),
    "employees NaN": page(org(numberOfEmployees=float("nan"))),
    "employees -Infinity": page(org(numberOfEmployees=float("-inf"))),
    "employees true": page(org(numberOfEmployees=True)),
    "employees a range with commas": page(org(numberOfEmployees="1,000,000,000-2,000,000,000")),
    "employees nested 900 deep": page(_nested_values(900)),
    "employees maxValue of 2**70": page(org(numberOfEmployees={"maxValue": 2**70})),
    "sameAs is an object": page(org(sameAs={"url": "https://github.com/x"})),
    "sameAs holds a broken IPv6 URL": page(org(sameAs=["http://[::1", "https://github.com/ok"])),
    "sameAs of 10,000 links": page(org(sameAs=[f"https://x.com/{n}" for n in range(10_000)])),
    "@graph is a string": page(json.dumps({"@graph": "Organization"})),
    "@graph of mixed junk": page(json.dumps({"@graph": [1, None, "x", ORGANIZATION]})),
    "@type is a number": page(org(**{"@type": 7})),
    "JSON-LD is not JSON": page("{'@type': 'Organization',"),
    "JSON-LD nested 100,000 deep": page("[" * 100_000 + "]" * 100_000),
    "JSON-LD with duplicate names": page(org()[:-1] + ', "name": "Evil Corp"}'),
    "bad block first, good block second": page("{oops")
    + page(org()).replace("<title>Northwind</title>", ""),
    "name is 1 MB": page(org(name="N" * 1_000_000)),
    "industry has control characters": page(org(industry="Robo\x00tics\x1b[31m\r\nBcc: x")),
    "description is a list": page(org(description=["a", "b"])),
    "title never closed": "<title>" + "t" * 500_000,
    "title of NUL bytes": "<title>\x00\x00\x00</title>",
    "title with a lone surrogate": "<title>North\ud800wind</title>",
    "text with lone surrogates": page(body="<p>\udc80\udcff picking</p>"),
    "a meta content of 1 MB": page(head=f'<meta name="description" content="{"d" * 1_000_000}">'),
    "100,000 attributes": "<div " + " ".join(f"a{n}=1" for n in range(100_000)) + ">x</div>",
    "100,000 nested divs": "<div>" * 100_000 + "deep" + "</div>" * 100_000,
    "10,000 links": page(body="".join(f'<a href="/about/{n}">a</a>' for n in range(10_000))),
    "href is a broken IPv6 URL": page(body='<a href="http://[::1">x</a><a href="/about">ok</a>'),
    "href with a port past 65535": page(body='<a href="http://x.example:99999999/about">x</a>'),
    "href of 100,000 characters": page(body=f'<a href="/about/{"p" * 100_000}">x</a>'),
    "href is javascript": page(body='<a href="javascript:alert(1)">about</a>'),
    "entities past Unicode": page(body="&#99999999999; &#x110000; &#0; &#xD800;"),
    "an unterminated comment": page(body="<!-- never closed <p>secret</p>"),
    "an unterminated CDATA": page(body="<![CDATA[ never closed"),
    "script never closed": page(body="<script>var x = '</scr' + 'ipt>';"),
    "a second html document inside": page(body=HOME),
    "binary served as HTML": "\x00\x01\x02\xff" * 10_000,
    "empty page": "",
    "only whitespace": " \n\t " * 1000,
}


def _decoded(mutant: Mutant) -> PageCase:
    return PageCase(mutant.label, mutant.value.decode("utf-8", errors="replace"))


def _encodings() -> list[PageCase]:
    """The page in another encoding than its header claims, decoded as UTF-8 anyway."""
    raw = [("utf-16", HOME.encode("utf-16")), ("latin-1", HOME.encode("latin-1", "replace")),
           ("shift_jis", "株式会社ノースウィンド".encode("shift_jis")),
           ("cp1252 quotes", b"\x93quoted\x94 \x85")]  # fmt: skip
    return [
        PageCase(f"{name} read as UTF-8", body.decode("utf-8", "replace")) for name, body in raw
    ]


def page_corpus() -> list[PageCase]:
    cases = [_decoded(m) for m in byte_mutants(HOME.encode(), seed=31, count=36)]
    cases += [
        PageCase(f"JSON-LD {m.label}", page(json.dumps(m.value)))
        for m in field_mutants(ORGANIZATION, seed=32, count=40)
    ]
    cases += [PageCase(label, html) for label, html in HAND_WRITTEN.items()]
    cases += _encodings()
    cases.append(PageCase("the example itself", HOME))
    return cases
