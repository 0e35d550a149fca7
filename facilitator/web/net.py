"""The laptop's LAN address: the IPv4 of the default route."""

from __future__ import annotations

import socket

# A documentation address (TEST-NET-1): connecting a UDP socket to it sends nothing; it only
# asks the kernel which local address the default route would use.
_PROBE = ("192.0.2.1", 9)


def lan_address() -> str | None:
    """The IPv4 address phones on the same network reach; None with no network."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(_PROBE)
            address = sock.getsockname()[0]
    except OSError:
        return None
    if not address or address.startswith("127.") or address == "0.0.0.0":
        return None
    return address


def url_for(host: str, port: int, path: str = "/") -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"
