"""Who may take an enforcement step beyond the roles the workflow names (kernel/WORKFLOW.md,
`rule=`): each rule takes the kernel's Standing and returns None, or the refusal the step raises
— the buttons (permitted_actions) and the action read the same rule."""

from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel.errors import ActionError, Forbidden


def certificate_refusal(officer, area, day) -> Forbidden | None:
    """None when `officer` holds an enforcement certificate valid on `day` for a place containing
    `area` (行政处罚法 Art. 42: 执法人员应当具有行政执法资格); else the refusal, naming the
    certificate that does not serve."""
    from .models import Certificate

    held = list(Certificate.objects.filter(officer=officer).select_related("area").order_by("-valid_until", "pk"))
    for certificate in held:
        if certificate.valid_on(day) and area.path.startswith(certificate.area.path):
            return None
    if not held:
        return Forbidden("enforcement.no_certificate", "您没有执法证，不能办理执法案件(《行政处罚法》第四十二条)")
    latest = held[0]
    if latest.revoked_at is not None:
        why = f"已于{timezone.localtime(latest.revoked_at):%Y-%m-%d}注销"
    elif latest.valid_until < day:
        why = f"已于{latest.valid_until:%Y-%m-%d}到期"
    elif latest.valid_from > day:
        why = f"自{latest.valid_from:%Y-%m-%d}起有效"
    else:
        why = f"执法区域为{latest.area.name}，不含{area.name}"
    return Forbidden("enforcement.certificate_invalid", f"您的执法证(证号{latest.number}){why}，不能办理该案件(《行政处罚法》第四十二条)")


def certified_officer(standing) -> ActionError | None:
    """An officer registers, declines or transfers a case only with a valid certificate for its
    place. Anyone not acting as an officer there is left to the role check's own refusal."""
    if RoleCode.ENFORCEMENT_OFFICER not in standing.roles:
        return None
    return standing.memo("certificate", lambda: certificate_refusal(standing.actor, standing.case.area, timezone.localdate()))
