"""The HTTP protocol the portal is served with: uvicorn's h11 protocol, plus a header timeout.

Uvicorn closes idle kept-alive connections, but a client that sends the first bytes of a
request and then nothing holds its connection open for as long as it likes: enough of them
starve the server. Here a connection must complete each request's headers within the
``header_timeout`` setting, counted from the connection (first request) or from the first byte
of the next request; it is closed otherwise.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from ..settings import load_settings

__all__ = ["HeaderTimeoutProtocol"]


class HeaderTimeoutProtocol(H11Protocol):
    """h11 with a deadline on the headers of every request (setting ``header_timeout``)."""

    header_timeout: float = float(load_settings().header_timeout)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    # uvicorn's own signature (it narrows asyncio.Protocol's BaseTransport, with the same ignore)
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        before = self.cycle
        waiting = before is None or before.response_complete
        if waiting:
            self._arm()  # the first bytes of a next request: its headers are now due
        super().data_received(data)
        if self.cycle is not before:  # the headers of a new request are complete
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None:
            loop = asyncio.get_running_loop()
            self._header_timer = loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expired(self) -> None:
        self._header_timer = None
        if self.cycle is None or self.cycle.response_complete:
            if not self.transport.is_closing():
                self.transport.close()
