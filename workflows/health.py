"""Is the system able to do its work?  Database, broker and background worker, for the pages, the
``health`` command and ``/healthz/`` alike."""

import dataclasses
import datetime
import logging
import os
import socket

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Heartbeat

logger = logging.getLogger(__name__)

# What stops while no worker runs: shown to the chair and the administrator.
PAUSED_WORK = _("报告生成、到期提醒、期限届满处理已暂停")


def heartbeat(source, *, now=None):
    """Record that ``source`` (a Heartbeat.Source) is alive."""
    Heartbeat.objects.update_or_create(
        source=source,
        defaults={"seen_at": now or timezone.now(), "detail": f"{socket.gethostname()}:{os.getpid()}"[:200]},
    )


def worker_heartbeat(hostname=""):
    """Called from the worker's own timer; a failure is logged, never raised into the worker."""
    try:
        close_old_connections()  # replace a connection the database dropped since the last beat
        heartbeat(Heartbeat.Source.WORKER)
    except Exception:
        logger.warning("could not record the worker heartbeat of %s", hostname, exc_info=True)
        connection.close()


@dataclasses.dataclass(frozen=True)
class BackgroundStatus:
    running: bool
    last_seen: datetime.datetime | None  # the newest heartbeat of any source
    stale: tuple  # the sources whose heartbeat is missing or older than HEARTBEAT_STALE_SECONDS

    @property
    def stale_labels(self):
        """Which part is silent, in the interface's words: "定时调度（beat）" when the worker beats
        but no scheduled job has run (the newest heartbeat alone would read as all is well)."""
        if len(self.stale) == len(Heartbeat.Source.values):
            return ""  # all silent: the banner's own words say so
        return "、".join(str(Heartbeat.Source(source).label) for source in self.stale)


def elapsed_words(seconds):
    """How long ago, in the words of the interface (``timesince`` follows the browser's language)."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return str(_("不到1分钟"))
    if minutes < 60:
        return str(_("%(n)s分钟") % {"n": minutes})
    hours = minutes // 60
    if hours < 48:
        return str(_("%(h)s小时%(m)s分钟") % {"h": hours, "m": minutes % 60})
    return str(_("%(d)s天") % {"d": hours // 24})


def background_status(*, now=None):
    now = now or timezone.now()
    limit = now - datetime.timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS)
    seen = dict(Heartbeat.objects.values_list("source", "seen_at"))
    stale = tuple(source for source in Heartbeat.Source.values if seen.get(source) is None or seen[source] < limit)
    return BackgroundStatus(running=not stale, last_seen=max(seen.values(), default=None), stale=stale)


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, str(connection.vendor)
    except Exception as exc:
        connection.close()
        return False, f"{type(exc).__name__}: {exc}"[:300]


def check_broker():
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
            if conn.transport.driver_type == "filesystem":
                for folder in ("data_folder_in", "processed_folder", "control_folder"):
                    path = settings.CELERY_BROKER_TRANSPORT_OPTIONS[folder]
                    if not os.access(path, os.W_OK):
                        return False, f"{path} is not writable"
            return True, conn.transport.driver_type
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"[:300]


def check_worker():
    try:
        status = background_status()
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"[:300]
    last = timezone.localtime(status.last_seen).isoformat(timespec="seconds") if status.last_seen else "never"
    if status.running:
        return True, f"last heartbeat {last}"
    return False, f"no recent heartbeat from {', '.join(status.stale)} (last {last})"


def checks():
    """``{"database": (ok, detail), "broker": …, "worker": …}``; no personal data in any detail."""
    database = check_database()
    return {
        "database": database,
        "broker": check_broker(),
        # the worker's heartbeat lives in the database: unknown while the database is down
        "worker": check_worker() if database[0] else (False, "database unavailable"),
    }
