"""An HTTP fetcher for untrusted URLs: the SSRF guard every website read goes through.

Each hop (the first request and every redirect) is resolved once, every resolved
address must be public, and the connection is pinned to the checked address (the
Host header and TLS SNI keep the name), so a DNS answer that changes between the
check and the connect (rebinding) cannot reach loopback or the metadata service.
"""

import asyncio
import ipaddress
import socket
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urljoin, urlsplit

import httpx
import idna

from adapters.errors import Permanent, Transient

Resolver = Callable[[str, int], Awaitable[list[str]]]

HTML_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_PORTS = frozenset({80, 443, 8080, 8443})
USER_AGENT = "FlowdeskBot/0.1 (+company enrichment)"
# The sitemaps protocol's limit: real pages stay far below it, and a hostile 10,000-char
# URL is refused before it reaches the parser, the resolver or the logs.
MAX_URL_CHARS = 2048
# Only gzip is asked for and accepted: it is inflated here, chunk by chunk, so a
# compression bomb never holds more than `max_bytes` of output in memory.
GZIP_ENCODINGS = frozenset({"gzip", "x-gzip"})
# RFC 8215 local-use NAT64: a site-chosen translator may map it onto any private IPv4.
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# NAT64 (RFC 6052), deprecated IPv4-compatible and IPv4-translated (RFC 2765,
# ::ffff:0:a.b.c.d) addresses carry IPv4 in the low 32 bits.
LOW_32_BITS_IPV4 = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("::/96"),
    ipaddress.ip_network("::ffff:0:0:0/96"),
)


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver returns for a host."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise Transient(f"cannot resolve {host}: {err}") from err
    return sorted({str(info[4][0]) for info in infos})


def is_public_address(ip: str) -> bool:
    """True only for globally routable unicast addresses, IPv4 inside IPv6 included.

    `is_global` is false for loopback, private, link-local (cloud metadata at
    169.254.169.254), carrier-grade NAT, ULA (fd00:ec2::254), reserved and unspecified,
    and for Teredo (2001::/32). NAT64, 6to4 and IPv4-compatible addresses count as
    global, yet a translator or relay delivers them to the IPv4 they embed, so that
    IPv4 must be public too.
    """
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        elif addr in NAT64_LOCAL:
            return False
        else:
            inner = _embedded_ipv4(addr)
            if inner is not None and not _is_global(inner):
                return False
    return _is_global(addr)


def _is_global(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return addr.is_global and not addr.is_multicast


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if addr.sixtofour is not None:
        return addr.sixtofour
    if any(addr in network for network in LOW_32_BITS_IPV4):
        return ipaddress.IPv4Address(int(addr) & 0xFFFF_FFFF)
    return None


def _split(url: str) -> tuple[SplitResult, str]:
    """Parse a URL and return it with its host in ASCII (IDNA A-label form).

    Every malformation (bad IDNA, over-long label or URL, bad port or IPv6 literal)
    becomes a `UrlRefused` refusal rather than an exception that fails the whole step.
    """
    if len(url) > MAX_URL_CHARS:
        raise Permanent("UrlRefused", f"URL longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a non-numeric or out-of-range port
        host = (parts.hostname or "").lower()
        if not host.isascii() or "xn--" in host:
            host = idna.encode(host, uts46=True).decode("ascii")
        elif host and ":" not in host:
            host.encode("idna")  # raises UnicodeError on an empty or >63-character label
    except ValueError as err:  # UnicodeError and idna.IDNAError are ValueErrors
        raise Permanent("UrlRefused", f"malformed URL: {err}") from err
    return parts, host


def _follow(url: str, location: str) -> str:
    try:
        return urljoin(url, location)
    except ValueError as err:
        raise Permanent("UrlRefused", f"malformed redirect {location[:100]!r}: {err}") from err


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch; `allow_hosts` may reach private addresses (demo, tests)."""

    timeout_s: float = 10.0
    max_bytes: int = 1_000_000
    max_redirects: int = 3
    allow_hosts: frozenset[str] = frozenset()
    static_hosts: Mapping[str, str] = field(default_factory=dict)
    allowed_types: tuple[str, ...] = HTML_TYPES


@dataclass(frozen=True)
class FetchedPage:
    url: str
    status: int
    content_type: str
    text: str
    truncated: bool


class SafeFetcher:
    """GET a page under `FetchPolicy`; raises `Permanent` for refusals, `Transient` otherwise."""

    def __init__(
        self,
        policy: FetchPolicy,
        resolver: Resolver = system_resolve,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._transport = transport
        self._tls = httpx.create_ssl_context()
        """Made once: loading the CA bundle for every fetch cost 15 ms of CPU each."""

    async def fetch(self, url: str) -> FetchedPage:
        timeout = httpx.Timeout(self._policy.timeout_s)
        async with httpx.AsyncClient(
            transport=self._transport, timeout=timeout, follow_redirects=False, trust_env=False,
            verify=self._tls,
        ) as client:  # fmt: skip
            current = url
            for _ in range(self._policy.max_redirects + 1):
                location, page = await self._get_once(client, current)
                if page is not None:
                    return page
                current = _follow(current, location)
        raise Permanent("TooManyRedirects", f"more than {self._policy.max_redirects} redirects")

    async def _pin(self, url: str) -> tuple[httpx.URL, str, str]:
        """Check the URL; return it rewritten to a vetted IP, its ASCII host and Host header."""
        parts, host = _split(url)
        if parts.scheme not in ("http", "https"):
            raise Permanent("UrlRefused", f"scheme {parts.scheme!r} is not http(s)")
        if parts.username or parts.password:
            raise Permanent("UrlRefused", "credentials in URLs are refused")
        if not host:
            raise Permanent("UrlRefused", "URL has no host")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        allowed = host in self._policy.allow_hosts
        if not allowed and port not in DEFAULT_PORTS:
            raise Permanent("UrlRefused", f"port {port} is not a web port")
        static = self._policy.static_hosts.get(host)
        addresses = [static] if static else await self._resolver(host, port)
        if not addresses:
            raise Transient(f"{host} resolved to no address")
        if not allowed:
            blocked = [ip for ip in addresses if not is_public_address(ip)]
            if blocked:
                raise Permanent("UrlRefused", f"{host} resolves to non-public {blocked[0]}")
        try:
            pinned = httpx.URL(url).copy_with(host=addresses[0])
        except httpx.InvalidURL as err:
            raise Permanent("UrlRefused", f"malformed URL: {err}") from err
        netloc = f"[{host}]" if ":" in host else host
        return pinned, host, f"{netloc}:{parts.port}" if parts.port else netloc

    async def _get_once(
        self, client: httpx.AsyncClient, url: str
    ) -> tuple[str, FetchedPage | None]:
        pinned, host, host_header = await self._pin(url)
        headers = {
            "Host": host_header,
            "User-Agent": USER_AGENT,
            "Accept": ", ".join(HTML_TYPES),
            "Accept-Encoding": "gzip",
        }
        extensions = {"sni_hostname": host} if pinned.scheme == "https" else {}
        try:
            async with client.stream(
                "GET", pinned, headers=headers, extensions=extensions
            ) as response:
                if response.is_redirect:
                    return response.headers.get("location", ""), None
                self._check_status(response.status_code, url)
                content_type = response.headers.get("content-type", "").split(";")[0].strip()
                if content_type.lower() not in self._policy.allowed_types:
                    raise Permanent("UnsupportedContent", f"content type {content_type!r}")
                body, truncated = await self._read_capped(response)
                text = body.decode(response.encoding or "utf-8", errors="replace")
                return "", FetchedPage(url, response.status_code, content_type, text, truncated)
        except httpx.TimeoutException as err:
            raise Transient(f"timed out fetching {url}") from err
        except httpx.TransportError as err:
            raise Transient(f"cannot reach {url}: {err}") from err

    @staticmethod
    def _check_status(status: int, url: str) -> None:
        if status in (408, 425, 429) or status >= 500:
            raise Transient(f"HTTP {status} from {url}")
        if status >= 400:
            raise Permanent("HttpRejected", f"HTTP {status} from {url}")

    async def _read_capped(self, response: httpx.Response) -> tuple[bytes, bool]:
        """Read at most `max_bytes` of decoded body, inflating gzip no further than that.

        httpx's own decoder inflates each network chunk whole (64 KB of gzip can become
        64 MB), so the raw stream is read and inflated here with a bounded output size.
        """
        limit = self._policy.max_bytes
        inflater = _inflater(response.headers.get("content-encoding", ""))
        body = bytearray()
        async for raw in response.aiter_raw():
            pending = raw
            while pending:
                if inflater is None:
                    piece, pending = pending, b""
                else:
                    piece = _inflate(inflater, pending, limit - len(body))
                    pending = inflater.unconsumed_tail
                body += piece
                if len(body) >= limit:
                    return bytes(body[:limit]), True
        return bytes(body), False


def _inflater(content_encoding: str) -> "zlib._Decompress | None":
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in GZIP_ENCODINGS:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    raise Permanent("UnsupportedContent", f"content encoding {content_encoding!r}")


def _inflate(inflater: "zlib._Decompress", data: bytes, room: int) -> bytes:
    try:
        return inflater.decompress(data, room)
    except zlib.error as err:
        raise Permanent("UnsupportedContent", f"corrupt gzip body: {err}") from err
