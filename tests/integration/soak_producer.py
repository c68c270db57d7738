"""The web side of the soak test, in its own process as the web server would be: notifications (each
emailed by the worker) at a steady rate, and the chair's period close part-way through.

    python -m tests.integration.soak_producer SECONDS INTERVAL RECIPIENT_ID PERIOD_ID CHAIR_ID
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflows.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from summaries import services as summary_services  # noqa: E402
from workflows.models import Period  # noqa: E402
from workflows.notifications import notify  # noqa: E402


def main(seconds, interval, recipient_id, period_id, chair_id):
    users = get_user_model().objects
    recipient, chair = users.get(pk=recipient_id), users.get(pk=chair_id)
    start = time.monotonic()
    sent, closed = 0, False
    while time.monotonic() - start < seconds:
        notify([recipient], title=f"soak-{sent:05d}", body="soak", url="/")
        sent += 1
        if not closed and time.monotonic() - start > seconds / 3:
            summary_services.report_request(period=Period.objects.get(pk=period_id), actor=chair)
            closed = True
        time.sleep(interval)
    print(f"sent {sent}")


if __name__ == "__main__":
    seconds, interval, *ids = sys.argv[1:]
    main(float(seconds), float(interval), *map(int, ids))
