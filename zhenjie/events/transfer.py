"""Department transfer (部门移交): a county department hands an event that is the township's to
deal with to that township's command centre, where it is taken in like any other report
(channel "department", through intake.report_event).

The department keeps sight of what it handed on, and of nothing else of the township: the
transfer is recorded as a finished assignment of the department on the new case, and
kernel.scoping lets a unit see every case on which it holds or held an assignment."""

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.locate import locate
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_of, county_path
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.models import Assignment
from zhenjie.kernel.scoping import reach_of
from zhenjie.units.models import Unit

from .intake import Report, report_event
from .models import Channel, Event


def transferring_department(actor) -> Unit:
    """The county department on whose behalf the actor transfers: one where they are liaison."""
    reach = reach_of(actor)
    unit_ids = [post.unit_id for post in reach.posts if RoleCode.DEPARTMENT_LIAISON in post.roles]
    department = Unit.objects.filter(pk__in=unit_ids, kind=Unit.Kind.DEPARTMENT, is_active=True).select_related("area").order_by("pk").first()
    if department is None:
        raise Forbidden("event.transfer_not_allowed", "只有县直部门的联络员可以向乡镇(街道)移交事件")
    return department


def township_for_transfer(department: Unit, township_id) -> Area:
    """A township of the department's own county; any other id reads as not found."""
    township = Area.objects.filter(pk=township_id, level=Area.Level.TOWNSHIP, path__startswith=county_path(department.area.path)).first()
    if township is None:
        raise Rejected("event.transfer_township", "请选择本县的乡镇(街道)", field="township_id")
    return township


@transaction.atomic
def transfer_to_township(actor, township: Area, report: Report) -> Event:
    """Hand the reported matter to `township`'s command centre; one transaction."""
    department = transferring_department(actor)
    if township.level != Area.Level.TOWNSHIP or not township.path.startswith(county_path(department.area.path)):
        raise Rejected("event.transfer_township", "请选择本县的乡镇(街道)", field="township_id")
    if (report.lng is None) != (report.lat is None):
        raise Rejected("event.position_invalid", "经度和纬度须同时填写", field="lng")
    if report.lng is not None and locate(report.lng, report.lat, township) is None:
        raise Rejected("event.position_outside", f"位置不在{township.name}范围内", field="lng")
    report.channel = Channel.DEPARTMENT
    report.area = None if report.lng is not None else township
    county = county_of(township)
    event = report_event(actor, report, county=county)
    now = timezone.now()
    Assignment.objects.create(case=event.case, unit=department, user=actor, todo="transfer",
                              state=Assignment.State.DONE, created_at=now, done_at=now, done_by=actor)
    journal.record(actor=actor, verb="transfer", case=event.case, summary=f"{department.name}移交{township.name}",
                   from_state=event.case.state, to_state=event.case.state, data={"department": department.pk, "township": township.pk})
    return event
