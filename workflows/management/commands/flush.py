"""Django's ``flush``, able to empty the audit trail on SQLite as it can on PostgreSQL.

Flush empties every table — the test runner does so after each transactional test.  PostgreSQL
uses TRUNCATE, which the append-only row trigger does not see; SQLite uses DELETE, which its
triggers refuse.  So on SQLite they are lifted for the flush and put back after it, whatever
happens.  Nothing else in the project lifts them.
"""

from django.core.management.commands import flush
from django.db import connections

from workflows.models.audit import SQLITE_CREATE_TRIGGERS, SQLITE_DROP_TRIGGERS


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with connection.cursor() as cursor:
            for sql in SQLITE_DROP_TRIGGERS:
                cursor.execute(sql)
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for sql in SQLITE_CREATE_TRIGGERS:
                    cursor.execute(sql)
