"""Notifications: a row in the recipient's 站内通知, and an email sent by Celery after commit."""

from django.db import IntegrityError, transaction

from .models import Notification


def notify(recipients, *, title, body="", url="", kind=Notification.Kind.INFO, dedupe_key=None, email=True):
    """Notify each recipient once.  With ``dedupe_key``, a repeat call for the same key is a no-op.

    ``title`` and ``body`` may be callables of the recipient, so that text naming a person is
    written for each reader with :mod:`workflows.pii` (the email carries the same text).
    Returns the notifications created.
    """
    created = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    title=str(title(user) if callable(title) else title)[:200],
                    body=str(body(user) if callable(body) else body),
                    url=url,
                    dedupe_key=dedupe_key,
                    email_pending=bool(email and user.email),
                )
        except IntegrityError:
            continue  # already notified for this key
        created.append(note)
        if note.email_pending:
            from .tasks import send_notification_email

            # robust: a broker that is down must not turn a saved change into an error page; the
            # email stays pending and the outbox sweep (send_pending_emails) sends it
            transaction.on_commit(lambda pk=note.pk: send_notification_email.delay(pk), robust=True)
    return created


def tell_applicant(record, transition, *, key=None):
    """The notice of ``transition`` to the people the record is about (``applicant_users()``): its
    title from the model's ``applicant_notices`` (the record's own words, no one's name), its body
    from ``notice_body(transition)``, the link to the record's page, which they may open."""
    title = record.applicant_notices[transition] % {"record": record}
    people = [user for user in record.applicant_users() if user is not None and user.is_active]
    body = record.notice_body(transition) if hasattr(record, "notice_body") else ""
    return notify(
        people,
        title=title,
        body=str(body or ""),
        url=record.get_absolute_url(),
        kind=Notification.Kind.INFO,
        dedupe_key=key,
    )
