from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhenjie.accounts"
    verbose_name = "人员与岗位"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_roles, sender=self)
        # Connects the login receiver that starts the session clocks (before any request, so the
        # test client's force_login stamps sessions too).
        from . import middleware  # noqa: F401


def _ensure_roles(sender, using="default", **kwargs):
    """Every role in RoleCode exists as a row (after migrate, and after a test flush)."""
    from .models import Role
    from .roles import RoleCode

    Role.objects.using(using).bulk_create([Role(code=code) for code in RoleCode.values], ignore_conflicts=True)
