"""Sessions in the database, as Django keeps them, read by a query compiled once.

Every page a member of staff opens reads their session first; Django builds and compiles that
read afresh each time, which on a page of a dozen reads is one of the dearest (issue 11,
kernel/prepared.py). Same table, same rows: switching to or from this engine logs nobody out."""

from datetime import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from zhenjie.kernel.prepared import Prepared

_LIVE_SESSION = Prepared(lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)[:1], key=str, now=datetime)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        found = _LIVE_SESSION.first(key=self.session_key, now=timezone.now()) if self.session_key else None
        if found is None:
            self._session_key = None  # as Django's: an unknown or expired key starts a new session
        return found
