"""Django's SQLite backend, plus ``PRAGMA optimize`` as each connection closes.

SQLite's documentation asks applications with short-lived connections (a web
request's) to run ``PRAGMA optimize`` just before closing each one: SQLite
then runs ``ANALYZE`` on the tables whose statistics the connection's queries
would have used and found missing or out of date, and does nothing otherwise.
``analysis_limit`` bounds that work to a sample of each index, so a close stays
cheap on a large directory. ``directory.statistics`` runs a full ``ANALYZE``
after bulk changes; this keeps the statistics fresh as a site grows by
ordinary use.
"""

from django.db.backends.sqlite3 import base

ANALYSIS_LIMIT = 400


class DatabaseWrapper(base.DatabaseWrapper):
    def close(self) -> None:
        self.validate_thread_sharing()
        if self.connection is not None and not self.in_atomic_block and not self.is_in_memory_db():
            try:
                self.connection.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
                self.connection.execute("PRAGMA optimize")
            except base.Database.Error:
                # Statistics are an optimisation: a busy or read-only database must not stop the close.
                pass
        super().close()
