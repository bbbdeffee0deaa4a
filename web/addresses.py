"""Which client a request came from, when a reverse proxy may stand in front.

Rate limits count per client address. Behind a proxy every request arrives from the
proxy's address, so all clients would share one bucket; yet `X-Forwarded-For` is a header
anyone can write, so believing it from anyone lets one client be twenty-five. The
header is read only when the peer is a configured trusted proxy
(`FLOWDESK_WEB_TRUSTED_PROXIES`), and then from the right: the first address that is not
itself a trusted proxy is the client (what the nearest untrusted hop said).
"""

from ipaddress import IPv4Network, IPv6Network, ip_address

from fastapi import Request

Network = IPv4Network | IPv6Network
MAX_HOPS = 20
"""Addresses of `X-Forwarded-For` read from the right: more than any real chain."""


def forwarded_client(peer: str, forwarded_for: str | None, trusted: list[Network]) -> str:
    """The client's address: `peer`, unless it is a trusted proxy that says who sent it."""
    if not _trusted(peer, trusted) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")][-MAX_HOPS:]
    for hop in reversed(hops):
        if not _valid(hop):
            return peer
        if not _trusted(hop, trusted):
            return str(ip_address(hop))
    return peer


def client_address(request: Request, trusted: list[Network]) -> str:
    peer = request.client.host if request.client else "unknown"
    return forwarded_client(peer, request.headers.get("x-forwarded-for"), trusted)


def _valid(address: str) -> bool:
    try:
        ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address: str, trusted: list[Network]) -> bool:
    if not trusted or not _valid(address):
        return False
    ip = ip_address(address)
    return any(ip in network for network in trusted)
