"""Reading company facts from a home page."""

from pathlib import Path

import pytest

from adapters.web.site_meta import parse_site

SITES = Path(__file__).parents[3] / "examples" / "sites"


def page(head: str, body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_title_description_and_opengraph():
    meta = parse_site(
        page(
            "<title> Acme  Rockets </title><meta name='description' content='We build rockets.'>"
            "<meta property='og:site_name' content='Acme'>"
        ),
        "https://acme.example/",
    )
    assert (meta.title, meta.description, meta.site_name) == (
        "Acme Rockets",
        "We build rockets.",
        "Acme",
    )


def test_opengraph_description_wins_over_meta_description():
    meta = parse_site(
        page(
            "<meta name='description' content='plain'><meta property='og:description' content='og'>"
        ),
        "https://x.example/",
    )
    assert meta.description == "og"


@pytest.mark.parametrize(
    ("json_ld", "employees"),
    [
        ('{"@type": "Organization", "name": "A", "numberOfEmployees": 120}', 120),
        ('{"@type": ["Corporation"], "name": "A", "numberOfEmployees": "85"}', 85),
        ('{"@type": "Organization", "name": "A", "numberOfEmployees": "50-200"}', 200),
        ('{"@type": "Organization", "name": "A", "numberOfEmployees": {"value": 40}}', 40),
        (
            '{"@type": "Organization", "name": "A", "numberOfEmployees": {"minValue": 5, "maxValue": 9}}',
            9,
        ),
        (
            '{"@graph": [{"@type": "WebSite"}, {"@type": "LocalBusiness", "name": "A", "numberOfEmployees": 7}]}',
            7,
        ),
    ],
)
def test_json_ld_organization_shapes(json_ld: str, employees: int):
    meta = parse_site(
        page(f'<script type="application/ld+json">{json_ld}</script>'), "https://a.example/"
    )
    assert meta.employee_count == employees and meta.site_name == "A"


def test_social_links_from_same_as_and_anchors_without_duplicates():
    html = page(
        '<script type="application/ld+json">{"@type": "Organization", '
        '"sameAs": "https://www.linkedin.com/company/a"}</script>',
        '<a href="https://www.linkedin.com/company/a">in</a><a href="https://github.com/a">gh</a>'
        '<a href="/about">about</a><a href="javascript:x()">x</a>',
    )
    assert parse_site(html, "https://a.example/").social_links == [
        "https://www.linkedin.com/company/a",
        "https://github.com/a",
    ]


def test_broken_json_ld_and_markup_are_tolerated():
    html = "<html><head><title>Half<script type='application/ld+json'>{not json</script><meta name=description content=ok"
    meta = parse_site(html, "https://a.example/")
    assert meta.employee_count is None and meta.industry is None


def test_non_organization_json_ld_is_ignored():
    html = page(
        '<script type="application/ld+json">{"@type": "Product", "name": "Widget", "industry": "x"}</script>'
    )
    meta = parse_site(html, "https://a.example/")
    assert meta.site_name is None and meta.industry is None


@pytest.mark.parametrize(
    ("host", "industry", "employees", "social"),
    [
        ("northwind-robotics.example", "Robotics", 320, "linkedin.com/company/northwind-robotics"),
        (
            "bluefin-logistics.example",
            "Freight forwarding",
            85,
            "linkedin.com/company/bluefin-freight",
        ),
        ("cedarsage.example", "Bakery", 12, "instagram.com/cedarsage"),
        ("qledger.example", "Software (fintech)", 200, "linkedin.com/company/quantum-ledger"),
    ],
)
def test_example_sites(host: str, industry: str, employees: int, social: str):
    meta = parse_site((SITES / host / "index.html").read_text(), f"http://{host}/")
    assert (meta.industry, meta.employee_count) == (industry, employees)
    assert any(social in link for link in meta.social_links)


@pytest.mark.parametrize(
    "employees",
    [
        "99999999999999999999",
        '"99999999999999999999"',
        "1e300",
        "Infinity",
        "NaN",
        "0",
        "-5",
        '{"value": 99999999999999999999}',
        '"1-99999999999999999999"',
        '"' + "9" * 5000 + '"',
    ],
)
def test_absurd_employee_counts_are_dropped(employees: str):
    """A huge number from a page once overflowed SQLite and failed intake; parse drops it."""
    json_ld = f'{{"@type": "Organization", "name": "A", "numberOfEmployees": {employees}}}'
    meta = parse_site(
        page(f'<script type="application/ld+json">{json_ld}</script>'), "https://a.example/"
    )
    assert meta.employee_count is None and meta.site_name == "A"
