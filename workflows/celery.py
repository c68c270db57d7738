"""The Celery application.  Tasks are discovered in each app's ``tasks.py``."""

import os

from celery import Celery, bootsteps

from . import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflows.settings")
broker.register()  # filesystem:// is the embedded broker of workflows/broker.py

app = Celery("unionflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class Heartbeat(bootsteps.StartStopStep):
    """The worker's own sign of life, stamped from a timer inside the worker process: it goes on while
    the worker runs, whatever beat does, and stops when the worker dies or hangs."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        from django.conf import settings

        from .health import worker_heartbeat

        worker_heartbeat(worker.hostname)
        self.timer_ref = worker.timer.call_repeatedly(
            settings.HEARTBEAT_SECONDS, worker_heartbeat, (worker.hostname,), priority=10
        )

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None


app.steps["worker"].add(Heartbeat)
