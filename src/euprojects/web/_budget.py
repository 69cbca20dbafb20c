"""A budget for costly requests (full exports, long typo-tolerant queries): how many one server
process runs at once, in all and per client address. Past it the request is refused at once
with 429 and Retry-After, so that cheap searches keep their speed under such load."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import BusyError

__all__ = ["Budget"]


class Budget:
    """``total``: costly requests at once in this process; ``per_client``: of one client
    address (0: no limit for either)."""

    def __init__(self, total: int, per_client: int) -> None:
        self.total = total
        self.per_client = per_client
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()

    def acquire(self, client: str) -> None:
        with self._lock:
            if self.per_client and self._running[client] >= self.per_client:
                raise BusyError(f"too many costly requests from your address at once (at most "
                                f"{self.per_client}): wait for one to end")
            if self.total and sum(self._running.values()) >= self.total:
                raise BusyError("the server is busy with costly requests (exports, long "
                                "typo-tolerant queries); try again in a moment")
            self._running[client] += 1

    def release(self, client: str) -> None:
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        self.acquire(client)
        try:
            yield
        finally:
            self.release(client)

    def running(self) -> int:
        with self._lock:
            return sum(self._running.values())
