"""A portal node (docs/deploy.md): the Catalog following its store's changes into its own index,
and telling its state (``euprojects status``, ``/api/v1/status``): a part of Catalog, kept
apart for its size."""

from __future__ import annotations

import fcntl
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from ..errors import EuProjectsError
from ..search import TantivyIndex
from ..settings import Settings
from ..store import Store

__all__ = ["Node"]

log = logging.getLogger("euprojects.follow")

_FOLLOW_LOCK = "follow.lock"  # held by the process of a node that is applying changes


class Node:
    """Catalog's methods of a node that follows the store."""

    settings: Settings
    store: Store
    index: TantivyIndex
    _followed: tuple[str, str | None] | None = None  # (when, the error or None) of the last look

    def catch_up_quietly(self) -> Any:
        raise NotImplementedError  # Catalog's

    def check_store(self) -> None:
        """Before a node serves: the store answers, with this version's schema (SQLite: every
        page read); the index is the follower's (``follow``)."""
        self.store.check()

    def follow_once(self) -> None:
        """Apply the store's new changes to the index (build it when it has none, or is of
        another store: the old generation serves meanwhile). One process of a node at a time
        (a lock file in the index folder): the node's other worker processes skip their look
        meanwhile, rather than each building the same generation. A failure (the store does
        not answer, the disk is full) is kept for the status and logged; the next look tries
        again."""
        try:
            self.index.path.mkdir(parents=True, exist_ok=True)
            with (self.index.path / _FOLLOW_LOCK).open("a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return  # another process of this node is looking
                self.catch_up_quietly()
            error = None
        except EuProjectsError as exc:
            error = str(exc)
            log.warning("following the store: %s", error)
        except OSError as exc:  # the index folder cannot be written
            error = f"{self.index.path}: {exc.strerror or exc}"
            log.warning("following the store: %s", error)
        except Exception as exc:  # a defect: said, with its trace; the next look tries again
            error = f"{type(exc).__name__}: {exc}"
            log.exception("following the store")
        self._followed = (datetime.now(UTC).isoformat(timespec="seconds"), error)

    def follow(self, stop: threading.Event, every: float) -> None:
        """follow_once at once, then every ``every`` seconds until ``stop`` is set."""
        while True:
            self.follow_once()
            if stop.wait(every):
                return

    def status(self) -> dict[str, Any]:
        """This node's state, as ``euprojects status`` prints it and ``/api/v1/status`` gives
        it (docs/deploy.md): ready when it has an index of its store and the store answers;
        the store (where, the server read, a replica's replay lag, its newest change), the
        index (generation, the last change applied, projects) and how many changes the index
        is behind."""
        reasons: list[str] = []
        store: dict[str, Any] = {"database": self.store.describe()}
        store_id: str | None = None
        last: int | None = None
        try:
            store_id, last = self.store.index_state()
            store.update(self.store.server(), id=store_id, last_change=last)
        except EuProjectsError as exc:
            store["error"] = str(exc)
            reasons.append("the store does not answer")
        applied = self.index.applied()
        index: dict[str, Any] | None = None
        if applied is None:
            reasons.append("no search index yet")
        else:
            index = {"generation": self.index.generation(), "store": applied.store,
                     "last_change": applied.seq, "projects": self.index.count()}
            if store_id is not None and applied.store != store_id:
                reasons.append("the search index is of another store")
        behind = (max(0, last - applied.seq) if last is not None and applied is not None
                  and applied.store == store_id else None)
        followed = self._followed
        return {
            "ready": not reasons,
            "reasons": reasons,
            "store": store,
            "index": index,
            "changes_behind": behind,
            "follow_seconds": self.settings.follow_seconds,
            "last_follow": (None if followed is None
                            else {"at": followed[0], "error": followed[1]}),
        }
