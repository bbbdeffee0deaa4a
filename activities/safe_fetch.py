"""An HTTP fetcher for untrusted URLs: the SSRF guard every website read goes through.

Each hop (the first request and every redirect) is resolved once, every resolved
address must be public, and the connection is pinned to the checked address (the
Host header and TLS SNI keep the name), so a DNS answer that changes between the
check and the connect (rebinding) cannot reach loopback or the metadata service.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from activities.errors import Permanent, Transient

Resolver = Callable[[str, int], Awaitable[list[str]]]

HTML_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_PORTS = frozenset({80, 443, 8080, 8443})
USER_AGENT = "FlowdeskBot/0.1 (+company enrichment)"


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver returns for a host."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise Transient(f"cannot resolve {host}: {err}") from err
    return sorted({str(info[4][0]) for info in infos})


def is_public_address(ip: str) -> bool:
    """True only for globally routable unicast addresses (IPv4-mapped IPv6 unwrapped).

    `is_global` is false for loopback, private, link-local (cloud metadata at
    169.254.169.254), carrier-grade NAT, ULA (fd00:ec2::254), reserved and unspecified.
    """
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


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

    async def fetch(self, url: str) -> FetchedPage:
        timeout = httpx.Timeout(self._policy.timeout_s)
        async with httpx.AsyncClient(
            transport=self._transport, timeout=timeout, follow_redirects=False, trust_env=False
        ) as client:
            current = url
            for _ in range(self._policy.max_redirects + 1):
                location, page = await self._get_once(client, current)
                if page is not None:
                    return page
                current = urljoin(current, location)
        raise Permanent("TooManyRedirects", f"more than {self._policy.max_redirects} redirects")

    async def _pin(self, url: str) -> tuple[httpx.URL, str]:
        """Check the URL and return it rewritten to a vetted IP, plus the original host."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Permanent("UrlRefused", f"scheme {parts.scheme!r} is not http(s)")
        if parts.username or parts.password:
            raise Permanent("UrlRefused", "credentials in URLs are refused")
        host = (parts.hostname or "").lower()
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
        return httpx.URL(url).copy_with(host=addresses[0]), host

    async def _get_once(
        self, client: httpx.AsyncClient, url: str
    ) -> tuple[str, FetchedPage | None]:
        pinned, host = await self._pin(url)
        netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
        headers = {"Host": netloc, "User-Agent": USER_AGENT, "Accept": ", ".join(HTML_TYPES)}
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
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= self._policy.max_bytes:
                return b"".join(chunks)[: self._policy.max_bytes], True
        return b"".join(chunks), False
