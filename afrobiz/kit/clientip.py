"""The client's IP address, believing X-Forwarded-For only from configured proxies.

With no trusted proxies the socket's peer is the client: a forged X-Forwarded-For changes
nothing (rate limits and audit rows cannot be dodged by inventing a header). Behind trusted
proxies the header is read right to left, skipping our own proxies; the first address that
is not one of them is the client.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(trusted_proxies: str) -> tuple[Network, ...]:
    """Parse 'a.b.c.d, 10.0.0.0/8, ::1' into networks; invalid entries are an operator error."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in trusted_proxies.split(",") if part.strip())


def _parse(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None


def client_ip(peer: str | None, forwarded_for: str | None, trusted_proxies: str = "") -> str | None:
    """The client's address: the peer, or the nearest untrusted hop when the peer is a trusted proxy."""
    networks = trusted_networks(trusted_proxies)
    peer_ip = _parse(peer)
    if peer_ip is None:
        return None

    def trusted(ip) -> bool:
        return any(ip in net for net in networks if ip.version == net.version)

    if not forwarded_for or not trusted(peer_ip):
        return str(peer_ip)
    nearest = peer_ip
    for hop in reversed(forwarded_for.split(",")):
        ip = _parse(hop)
        if ip is None:
            break          # garbage in the chain: believe nothing further left of it
        nearest = ip
        if not trusted(ip):
            break
    return str(nearest)
