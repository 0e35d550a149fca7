"""The web server's limits, as settings (`run`/`serve` options).

A room whose phones all reach the laptop through one NAT address needs higher per-address
caps; the defaults suit phones that each have their own address on the venue's Wi-Fi.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebSettings:
    # Open connections one client address may hold at once (loopback counts like any).
    max_connections_per_address: int = 64
    # New device ids (phones) one client address may be issued per minute.
    new_devices_per_minute: int = 60
    # A request whose headers have not arrived this many seconds after the connection
    # opened (or after the previous response on a kept-alive connection) is closed.
    header_timeout_s: float = 5.0
