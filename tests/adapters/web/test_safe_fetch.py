"""The SSRF guard: what the website fetcher refuses, and that it connects where it checked."""

import gzip
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from adapters.errors import Permanent, Transient
from adapters.web.safe_fetch import FetchPolicy, SafeFetcher, is_public_address
from tests.conftest import LoopbackSite

PUBLIC_IP = "93.184.215.14"
ALLOWED = "allowed.example"
ALLOW_POLICY = FetchPolicy(
    timeout_s=2, allow_hosts=frozenset({ALLOWED}), static_hosts={ALLOWED: "127.0.0.1"}
)
CAPPED = replace(ALLOW_POLICY, max_bytes=4096)


@pytest.mark.parametrize(
    ("ip", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fd00:ec2::254", False),  # AWS metadata over IPv6
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:10.0.0.1", False),
        ("224.0.0.1", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of the metadata service
        ("64:ff9b::5db8:d70e", True),  # NAT64 of a public address
        ("64:ff9b:1::a00:1", False),  # local-use NAT64 prefix
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of the metadata service
        ("::127.0.0.1", False),  # IPv4-compatible loopback
        ("::10.0.0.1", False),
        *[(ip, False) for ip in ("::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe")],  # RFC 2765
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo, client 127.0.0.1
    ],
)
def test_only_global_unicast_addresses_are_public(ip: str, public: bool):
    assert is_public_address(ip) is public


def resolver_returning(*answers: list[str]):
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), len(answers)) - 1]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(
    "answer",
    [
        ["127.0.0.1"],
        ["10.0.0.5"],
        ["169.254.169.254"],
        ["::1"],
        ["fd12::1"],
        [PUBLIC_IP, "127.0.0.1"],
    ],
)
async def test_host_resolving_to_a_private_address_is_refused(answer: list[str]):
    fetcher = SafeFetcher(FetchPolicy(), resolver=resolver_returning(answer))
    with pytest.raises(Permanent) as refused:
        await fetcher.fetch("http://innocent.example/")
    assert refused.value.kind == "UrlRefused"


@pytest.mark.parametrize(
    "ip", ["64:ff9b::7f00:1", "2002:7f00:1::", "::127.0.0.1", "64:ff9b::a9fe:a9fe"]
)
async def test_ipv6_wrapping_a_private_ipv4_is_refused(ip: str):
    fetcher = SafeFetcher(FetchPolicy(static_hosts={"wrapped.example": ip}))
    with pytest.raises(Permanent) as refused:
        await fetcher.fetch("http://wrapped.example/")
    assert refused.value.kind == "UrlRefused"


@pytest.mark.parametrize(
    "url",
    [
        "http://xn--a.com/",
        "http://" + "a" * 64 + ".com/",
        "http://example.com/" + "a" * 10_000,
        "http://[::1/",
        "http://example.com:99999/",
        "http://example.com/a\x00b",
    ],
)
async def test_malformed_urls_are_refused_not_crashed(url: str):
    fetcher = SafeFetcher(FetchPolicy(), resolver=resolver_returning([PUBLIC_IP]))
    with pytest.raises(Permanent) as refused:
        await fetcher.fetch(url)
    assert refused.value.kind == "UrlRefused"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "http://user:secret@example.com/",
        "http://example.com:6379/",
        "http://127.0.0.1/",
        "http://[::1]:80/",
    ],
)
async def test_refused_urls(url: str):
    fetcher = SafeFetcher(FetchPolicy(), resolver=resolver_returning(["127.0.0.1"]))
    with pytest.raises(Permanent):
        await fetcher.fetch(url)


def html_response(body: bytes) -> httpx.Response:
    """A streamed response, as a real transport gives (the fetcher reads the raw stream)."""

    async def stream():
        yield body

    return httpx.Response(200, headers={"content-type": "text/html"}, content=stream())


async def test_unicode_host_is_checked_and_sent_in_idna_form():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return html_response(b"ok")

    resolve = resolver_returning([PUBLIC_IP])
    fetcher = SafeFetcher(FetchPolicy(), resolver=resolve, transport=httpx.MockTransport(answer))
    await fetcher.fetch("http://exämple.com/")
    assert resolve.calls == ["xn--exmple-cua.com"]  # type: ignore[attr-defined]
    assert seen[0].headers["host"] == "xn--exmple-cua.com"


async def test_connection_is_pinned_to_the_checked_address():
    """DNS rebinding: a second lookup would say loopback; the fetcher never asks again."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return html_response(b"<title>ok</title>")

    resolve = resolver_returning([PUBLIC_IP], ["127.0.0.1"])
    fetcher = SafeFetcher(FetchPolicy(), resolver=resolve, transport=httpx.MockTransport(answer))
    page = await fetcher.fetch("http://rebind.example/")

    assert page.text == "<title>ok</title>"
    assert resolve.calls == ["rebind.example"]  # type: ignore[attr-defined]
    assert seen[0].url.host == PUBLIC_IP
    assert seen[0].headers["host"] == "rebind.example"


async def test_tls_keeps_the_name_for_sni():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return html_response(b"x")

    fetcher = SafeFetcher(
        FetchPolicy(),
        resolver=resolver_returning([PUBLIC_IP]),
        transport=httpx.MockTransport(answer),
    )
    await fetcher.fetch("https://secure.example/")
    assert seen[0].extensions["sni_hostname"] == "secure.example"


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:{port}/secret", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"],
)
async def test_redirect_to_a_private_address_is_refused(site: LoopbackSite, target: str):
    site.routes["/"] = (302, {"Location": target.format(port=site.port)}, b"")
    with pytest.raises(Permanent) as refused:
        await SafeFetcher(ALLOW_POLICY).fetch(site.url("/", host=ALLOWED))
    assert refused.value.kind == "UrlRefused"
    assert [path for path, _ in site.requests] == ["/"], "the private target was never requested"


async def test_redirects_within_the_allowed_host_are_followed_up_to_the_limit(site: LoopbackSite):
    site.routes["/"] = (301, {"Location": "/a"}, b"")
    site.routes["/a"] = (302, {"Location": "/b"}, b"")
    site.html("/b", "<title>landed</title>")
    page = await SafeFetcher(ALLOW_POLICY).fetch(site.url("/", host=ALLOWED))
    assert page.text == "<title>landed</title>" and page.url.endswith("/b")

    for hop in range(5):
        site.routes[f"/loop{hop}"] = (302, {"Location": f"/loop{hop + 1}"}, b"")
    with pytest.raises(Permanent) as refused:
        await SafeFetcher(ALLOW_POLICY).fetch(site.url("/loop0", host=ALLOWED))
    assert refused.value.kind == "TooManyRedirects"


async def test_body_is_capped(site: LoopbackSite):
    site.html("/", "<p>" + "x" * 50_000)
    page = await SafeFetcher(CAPPED).fetch(site.url("/", host=ALLOWED))
    assert page.truncated and len(page.text) == 4096


async def test_gzip_bomb_is_inflated_only_up_to_the_cap(site: LoopbackSite):
    """50 MB of zeros gzip to ~50 KB; only max_bytes of it may ever sit in memory."""
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    site.routes["/"] = (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)
    tracemalloc.start()
    try:
        page = await SafeFetcher(CAPPED).fetch(site.url("/", host=ALLOWED))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert page.truncated and len(page.text) == 4096
    assert peak < 5_000_000, f"peak {peak} bytes while inflating"


async def test_gzip_body_is_decoded(site: LoopbackSite):
    body = gzip.compress(b"<title>zipped</title>")
    site.routes["/"] = (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, body)
    page = await SafeFetcher(ALLOW_POLICY).fetch(site.url("/", host=ALLOWED))
    assert page.text == "<title>zipped</title>" and not page.truncated


async def test_unbounded_content_encodings_are_refused(site: LoopbackSite):
    site.routes["/"] = (200, {"Content-Type": "text/html", "Content-Encoding": "br"}, b"\x0b")
    with pytest.raises(Permanent) as refused:
        await SafeFetcher(ALLOW_POLICY).fetch(site.url("/", host=ALLOWED))
    assert refused.value.kind == "UnsupportedContent"


@pytest.mark.parametrize(
    "content_type", ["application/octet-stream", "image/png", "application/json"]
)
async def test_non_html_is_refused(site: LoopbackSite, content_type: str):
    site.routes["/"] = (200, {"Content-Type": content_type}, b"\x89PNG\x00\x00")
    with pytest.raises(Permanent) as refused:
        await SafeFetcher(ALLOW_POLICY).fetch(site.url("/", host=ALLOWED))
    assert refused.value.kind == "UnsupportedContent"


async def test_status_codes_map_to_permanent_or_transient(site: LoopbackSite):
    site.html("/gone", "no", status=404)
    site.html("/busy", "later", status=503)
    with pytest.raises(Permanent):
        await SafeFetcher(ALLOW_POLICY).fetch(site.url("/gone", host=ALLOWED))
    with pytest.raises(Transient):
        await SafeFetcher(ALLOW_POLICY).fetch(site.url("/busy", host=ALLOWED))


async def test_site_down_is_transient():
    policy = FetchPolicy(
        allow_hosts=frozenset({"down.example"}), static_hosts={"down.example": "127.0.0.1"}
    )
    with pytest.raises(Transient):
        await SafeFetcher(policy).fetch("http://down.example:1/")


@pytest.fixture
def stalled_server() -> Iterator[int]:
    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            time.sleep(1.5)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


async def test_slow_site_times_out(stalled_server: int):
    policy = FetchPolicy(
        timeout_s=0.3, allow_hosts=frozenset({ALLOWED}), static_hosts={ALLOWED: "127.0.0.1"}
    )
    with pytest.raises(Transient):
        await SafeFetcher(policy).fetch(f"http://{ALLOWED}:{stalled_server}/")
