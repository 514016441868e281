"""Django's model backend, with the user of a session read by a query compiled once.

Every request of a signed-in member of staff reads their user row (kernel/prepared.py says why
that read is worth compiling once). Password checks and permissions are Django's, unchanged."""

from django.contrib.auth.backends import ModelBackend

from zhenjie.kernel.prepared import Prepared

from .models import User

_USER = Prepared(lambda pk: User.objects.filter(pk=pk)[:1], pk=int)


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = _USER.first(pk=int(user_id))
        except (TypeError, ValueError):
            return None  # a session naming no user id: nobody, as Django's DoesNotExist
        return user if user is not None and self.user_can_authenticate(user) else None
