"""Links for the hall's unattended screen (the TV on the wall, issue 15 item 6): a long random
token per link, shown once to whoever makes it and kept only as its SHA-256 (like integrations'
IntegrationKey); revoked, it opens nothing. Made and revoked by those who keep the centre's
settings (actions.hall.KEEPERS), journaled with the prefix only."""

from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict
from zhenjie.kernel.inputs import text
from zhenjie.units.models import Unit

from ..models import ScreenLink
from .hall import KEEPERS, NAME_MAX, _require_role

PREFIX_LENGTH = 6


@transaction.atomic
def issue_screen_link(actor, centre: Unit, name) -> tuple[ScreenLink, str]:
    """A new link for the centre's screen; returns the row and the token (never stored)."""
    _require_role(actor, centre, KEEPERS, "只有本中心窗口人员或乡镇(街道)领导可以设置叫号屏链接")
    name = text(name, field="name", label="名称", max_length=NAME_MAX, required=True, code="hall")
    token = ScreenLink.new_token()
    link = ScreenLink.objects.create(centre=centre, name=name, prefix=token[:PREFIX_LENGTH], digest=ScreenLink.digest_of(token),
                                     created_by=actor, created_at=timezone.now())
    journal.record(actor=actor, verb="hall.screen_link", subject=f"unit:{centre.pk}", summary=f"新建叫号屏链接：{link}",
                   data={"link": link.pk, "prefix": link.prefix})
    return link, token


@transaction.atomic
def revoke_screen_link(actor, link: ScreenLink) -> ScreenLink:
    _require_role(actor, link.centre, KEEPERS, "只有本中心窗口人员或乡镇(街道)领导可以停用叫号屏链接")
    if not ScreenLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=actor):
        raise Conflict("hall.screen_link_revoked", "该链接已停用")
    journal.record(actor=actor, verb="hall.screen_link_revoked", subject=f"unit:{link.centre_id}", summary=f"停用叫号屏链接：{link}",
                   data={"link": link.pk, "prefix": link.prefix})
    link.refresh_from_db()
    return link
