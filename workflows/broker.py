"""The embedded Celery broker: kombu's filesystem transport with atomic files and at-least-once delivery.

kombu's own filesystem transport (5.7) has three races that killed the demo's worker or lost jobs:

1. A message file is created empty and then written, and a consumer reads it without a lock, so a
   consumer polling every 0.1 s can read a half-written message: ``JSONDecodeError`` in the consumer,
   an "Unrecoverable error", the worker gone.
2. An exchange table (``celery.exchange``, ``reply.celery.pidbox.exchange`` …) is created with
   ``open("wb")``, which truncates the file *before* the lock is taken; a second process binding at the
   same moment empties what the first wrote, and any reader between the two sees an empty file — the
   "Expecting value: line 1 column 1" of kombu issue 1551.
3. A consumer takes a message by moving it to the system temp folder (often another file system, so
   the move is a copy and a delete: two consumers can both take it) and deletes it on receipt, so a
   worker killed before it finished a task loses the task even with ``acks_late``.

Here every file appears whole or not at all (written under a temporary name, then ``os.replace``),
readers never see a partial table, a message is claimed by an atomic rename into the processed folder
(one consumer wins) and stays there, named after the claiming process, until it is acknowledged.  A
channel opened later hands back the claims of processes that no longer exist, so a job whose worker
was killed runs again on the next worker (tasks are idempotent; ``acks_late`` is on).
"""

import fcntl
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.transport import TRANSPORT_ALIASES, _transport_cache, filesystem, virtual
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

CLAIM_SEPARATOR = "~"


def _process_token(pid):
    """``pid.start-time``: a pid reused by a new process after a restart does not look alive."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            start = stat.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        start = "0"
    return f"{pid}.{start}"


def _alive(token):
    pid, _, start = token.partition(".")
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return start == "0" or _process_token(int(pid)) == token


def write_atomically(path, data):
    """Write ``data`` to ``path`` so that no reader ever sees a partial file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


class Channel(filesystem.Channel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._claims = {}  # delivery tag -> claimed file in the processed folder
        self._token = _process_token(os.getpid())
        self.recover_orphans()

    # -- exchange tables ------------------------------------------------------------------------

    @contextmanager
    def _table_lock(self, exchange):
        self.control_folder.mkdir(parents=True, exist_ok=True)
        with open(self.control_folder / f".{exchange}.lock", "a") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def get_table(self, exchange):
        try:
            data = self._exchange_file(exchange).read_bytes()
        except FileNotFoundError:
            return []
        return [filesystem.exchange_queue_t(*q) for q in loads(bytes_to_str(data))]

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange):
            table = self.get_table(exchange)
            if entry not in table:
                write_atomically(self._exchange_file(exchange), str_to_bytes(dumps([entry, *table])))

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        virtual.Channel._delete(self, queue, exchange, routing_key, pattern, *args, **kwargs)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange):
            table = self.get_table(exchange)
            if entry in table:
                table.remove(entry)
                write_atomically(self._exchange_file(exchange), str_to_bytes(dumps(table)))

    # -- messages -------------------------------------------------------------------------------

    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000)):015d}_{uuid.uuid4()}.{queue}.msg"
        write_atomically(os.path.join(self.data_folder_out, name), str_to_bytes(dumps(payload)))

    def _get(self, queue):
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.startswith(".") or name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self.processed_folder, f"{self._token}{CLAIM_SEPARATOR}{name}")
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                continue  # another consumer claimed it first
            with open(claimed, "rb") as message_file:
                payload = loads(bytes_to_str(message_file.read()))
            self._claims[payload["properties"]["delivery_tag"]] = claimed
            return payload
        raise Empty()

    def _settle(self, delivery_tag):
        claimed = self._claims.pop(delivery_tag, None)
        if claimed is None:
            return
        if self.store_processed:
            os.replace(claimed, os.path.join(self.processed_folder, claimed.rpartition(CLAIM_SEPARATOR)[2]))
        else:
            try:
                os.remove(claimed)
            except FileNotFoundError:
                pass

    def basic_ack(self, delivery_tag, multiple=False):
        super().basic_ack(delivery_tag, multiple=multiple)
        self._settle(delivery_tag)

    def basic_reject(self, delivery_tag, requeue=False):
        super().basic_reject(delivery_tag, requeue=requeue)
        self._settle(delivery_tag)

    def _restore(self, message):
        super()._restore(message)  # published again first: a crash in between gives a duplicate, never a loss
        self._settle(message.delivery_tag)

    def recover_orphans(self):
        """Put back the messages claimed by processes that have died (a worker killed mid-task)."""
        try:
            names = os.listdir(self.processed_folder)
        except FileNotFoundError:
            return 0
        recovered = 0
        for name in names:
            token, separator, original = name.partition(CLAIM_SEPARATOR)
            if not separator or token == self._token or _alive(token):
                continue
            try:
                os.replace(os.path.join(self.processed_folder, name), os.path.join(self.data_folder_in, original))
            except FileNotFoundError:
                continue  # another channel recovered it
            recovered += 1
        return recovered


class Transport(filesystem.Transport):
    """kombu's filesystem transport with the :class:`Channel` above."""

    Channel = Channel


def register():
    """Make ``filesystem://`` mean this transport in every process of the project (web, worker, beat,
    tests).  An alias rather than Celery's ``broker_transport`` setting: that one would also force
    this transport onto an explicit ``redis://`` connection."""
    TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"
    _transport_cache.pop("filesystem", None)
