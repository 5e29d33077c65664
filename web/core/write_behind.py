"""Write-behind for logs: requests queue rows, one thread per process writes them in batches.

A search or an article view must not wait for a database commit (an fsync with SQLite, a round
trip with PostgreSQL), nor fail when the database is down. Requests only append to a bounded
in-memory queue; a daemon thread writes what has gathered about once a second, in one
transaction, and the rest is written when the process exits (gunicorn stops workers with
SIGTERM, which ends them through sys.exit, so `atexit` runs).

What is lost when the database is unavailable is logs, never an answer: a failed batch is
dropped with a warning that names the error type and the count, not the content.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Writer = Callable[[list[Any]], None]


class WriteBehind:
    def __init__(
        self,
        what: str,
        write: Writer,
        interval: float = 1.0,
        batch_size: int = 500,
        max_pending: int = 20_000,
    ):
        self.what = what  # Japanese, for the warnings: 「検索ログ」
        self.write = write
        self._interval = interval
        self._batch_size = batch_size
        self._pending: deque[Any] = deque()
        self._max_pending = max_pending
        self._dropped = 0
        self._lock = threading.Lock()  # one writer at a time: the thread, or flush() at exit
        self._wake = threading.Event()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        # A weak reference: the app keeps its writers alive, the exit hook must not (tests
        # build hundreds of apps, each with an engine and its open connections).
        atexit.register(_flush_if_alive, weakref.ref(self))

    def add(self, item: Any) -> None:
        """Queue one row; never blocks on the database and never raises."""
        self._ensure_thread()
        if len(self._pending) >= self._max_pending:
            self._dropped += 1  # the database has been away for a long time: keep memory bounded
            return
        self._pending.append(item)
        if len(self._pending) >= self._batch_size:
            self._wake.set()

    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Write everything queued so far; the number of rows written."""
        written = 0
        with self._lock:
            while self._pending:
                batch = []
                while self._pending and len(batch) < self._batch_size:
                    batch.append(self._pending.popleft())
                if write_now(self.what, self.write, batch):
                    written += len(batch)
            if self._dropped:
                log.warning(
                    "%sを保存できませんでした（%d件、保存待ちが上限を超えました）",
                    self.what,
                    self._dropped,
                )
                self._dropped = 0
        return written

    def _ensure_thread(self) -> None:
        # gunicorn forks workers: a thread started before the fork does not exist in the child.
        if self._pid == os.getpid() and self._thread is not None:
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None:
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, name=f"write-behind {self.what}", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            self.flush()


def _flush_if_alive(reference: weakref.ref) -> None:
    writer = reference()
    if writer is not None:
        writer.flush()


def write_now(what: str, write: Writer, batch: list[Any]) -> bool:
    """Write one batch; False (and a warning) when the database refused it. Never raises."""
    try:
        write(batch)
    except Exception as error:  # noqa: BLE001 - a log must never take the site down
        # The error's text can quote the rows (what people typed): name the type only.
        log.warning("%sを保存できませんでした（%d件、%s）", what, len(batch), type(error).__name__)
        return False
    return True
