"""Put on PYTHONPATH of a child process to make any network use fail loudly (CLI tests, benchmarks).

pytest-socket guards only the test process; `sanitas` run as a subprocess gets this instead.
Unix sockets stay allowed (multiprocessing uses them).
"""

from __future__ import annotations

import socket

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkUseError(RuntimeError):
    pass


def _guard(self: socket.socket, address: object) -> object:
    if self.family == socket.AF_UNIX:
        return _real_connect(self, address)
    raise NetworkUseError(f"network use blocked: connect to {address!r}")


def _guard_ex(self: socket.socket, address: object) -> object:
    if self.family == socket.AF_UNIX:
        return _real_connect_ex(self, address)
    raise NetworkUseError(f"network use blocked: connect to {address!r}")


def _no_dns(*args: object, **kwargs: object) -> object:
    raise NetworkUseError("network use blocked: DNS lookup")


socket.socket.connect = _guard  # type: ignore[method-assign]
socket.socket.connect_ex = _guard_ex  # type: ignore[method-assign]
socket.getaddrinfo = _no_dns  # type: ignore[assignment]
