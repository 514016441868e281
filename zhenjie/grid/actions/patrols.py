"""Patrols (巡查): a grid worker starts one in a grid, the phone sends positions as they walk,
findings are noted on the way or at the end, and stopping turns the positions into the track.

Findings that need handling become events in the events app, which opens the case and then
calls link_finding_to_case(); this app never opens cases itself."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.kernel import attachments
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.inputs import CLOCK_SKEW, moment

from ..jurisdiction import EDITORS, require_grid
from ..models import Patrol, PatrolFinding, PatrolPoint
from ..positions import check_pair, line_string, require_in_grid, track_length_m
from .inputs import record, text

POSITIONS_PER_CALL = 500
POINTS_PER_PATROL = 10_000  # one point every 5 s for 12 hours; more is a stuck phone, not a walk
FINDINGS_PER_STOP = 20
DESCRIPTION_MAX = 1000
SUMMARY_MAX = 1000


def _after_start(value, patrol: Patrol, **labels) -> datetime:
    """A moment of this patrol: not in the future, not before it began (the phone's clock may
    differ from the server's by CLOCK_SKEW either way)."""
    return moment(value, earliest=patrol.started_at - CLOCK_SKEW, early_message=f"{labels['label']}不能早于巡查开始时间", **labels)


def _own_open(actor, patrol: Patrol, doing: str) -> Patrol:
    """The patrol, locked for this transaction, if it is the actor's and still open."""
    if patrol.worker_id != actor.pk:
        raise Forbidden("grid.patrol_not_yours", f"只能{doing}自己的巡查")
    locked = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if locked.ended_at is not None:
        raise Conflict("grid.patrol_ended", f"本次巡查已于{timezone.localtime(locked.ended_at):%m-%d %H:%M}结束，不能再{doing}")
    return locked


@transaction.atomic
def start_patrol(actor, grid: Area, *, lng: float | None = None, lat: float | None = None, at: datetime | None = None) -> Patrol:
    """Begin a patrol; a worker has one open patrol at a time. `at` is for importers and the demo."""
    require_grid(actor, grid, EDITORS, "巡查")
    position = check_pair(lng, lat)
    if position:
        require_in_grid(grid, *position, what="当前位置")
    open_patrol = Patrol.objects.filter(worker=actor, ended_at__isnull=True).first()
    if open_patrol:
        raise Conflict("grid.patrol_open", f"您有一次巡查尚未结束({timezone.localtime(open_patrol.started_at):%m-%d %H:%M}开始)，请先结束")
    started = moment(at, field="at", label="开始时间", code="grid.started_at")
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(worker=actor, grid=grid, started_at=started)
    except IntegrityError:
        raise Conflict("grid.patrol_open", "您有一次巡查尚未结束，请先结束") from None
    if position:
        PatrolPoint.objects.create(patrol=patrol, lng=position[0], lat=position[1], recorded_at=started)
        Patrol.objects.filter(pk=patrol.pk).update(point_count=1)
        patrol.point_count = 1
    record(actor, grid, "grid.patrol.start", f"patrol:{patrol.pk}", f"{actor.display_name} 开始巡查 {grid.name}", {"patrol": patrol.pk})
    return patrol


def _clean_position(patrol: Patrol, grid: Area, index: int, item: dict) -> PatrolPoint:
    field = f"positions.{index}"
    if not isinstance(item, dict):
        raise Rejected("position.invalid", f"第{index + 1}个位置格式不正确", field=field)
    position = check_pair(item.get("lng"), item.get("lat"), field=field)
    if position is None:
        raise Rejected("position.incomplete", f"第{index + 1}个位置缺少经纬度", field=field)
    require_in_grid(grid, *position, field=field, what=f"第{index + 1}个位置")
    accuracy = item.get("accuracy")
    if accuracy is not None and (isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)) or not 0 <= accuracy <= 100_000):
        raise Rejected("position.accuracy_invalid", f"第{index + 1}个位置的精度数值无效", field=field)
    at = _after_start(item.get("at"), patrol, field=field, label=f"第{index + 1}个位置的定位时间", code="grid.position_at")
    return PatrolPoint(patrol=patrol, lng=position[0], lat=position[1], accuracy_m=accuracy, recorded_at=at)


@transaction.atomic
def add_positions(actor, patrol: Patrol, positions: list[dict]) -> Patrol:
    """Append positions ({lng, lat, at?, accuracy?}) to the open patrol, all or none. No journal
    line per batch: the phone sends one every few seconds; stopping records the whole track."""
    grid = patrol.grid
    require_grid(actor, grid, EDITORS, "巡查")
    if not isinstance(positions, list) or not positions:
        raise Rejected("grid.positions_required", "没有收到位置", field="positions")
    if len(positions) > POSITIONS_PER_CALL:
        raise Rejected("grid.positions_too_many", f"一次最多上传{POSITIONS_PER_CALL}个位置", field="positions")
    patrol = _own_open(actor, patrol, "记录轨迹")
    if patrol.point_count + len(positions) > POINTS_PER_PATROL:
        raise Rejected("grid.track_too_long", f"一次巡查最多记录{POINTS_PER_PATROL}个位置，请结束本次巡查后重新开始", field="positions")
    points = [_clean_position(patrol, grid, index, item) for index, item in enumerate(positions)]
    # The phone sends again what it kept while its answers were lost (grid/patrol.js keeps the
    # track until the server has it): a position already stored at the same moment is not stored
    # twice (the patrol's (patrol, recorded_at) index answers this).
    known = set(PatrolPoint.objects.filter(patrol=patrol, recorded_at__in=[p.recorded_at for p in points]).values_list("recorded_at", flat=True))
    fresh = []
    for point in points:
        if point.recorded_at not in known:
            known.add(point.recorded_at)
            fresh.append(point)
    points = fresh
    PatrolPoint.objects.bulk_create(points)
    patrol.point_count += len(points)
    Patrol.objects.filter(pk=patrol.pk).update(point_count=patrol.point_count)
    return patrol


def _clean_finding(grid: Area, item: dict, field_prefix: str = "") -> dict:
    description = text(item.get("description"), field=f"{field_prefix}description", label="发现情况", max_length=DESCRIPTION_MAX, required=True)
    position = check_pair(item.get("lng"), item.get("lat"), field=f"{field_prefix}position")
    if position:
        require_in_grid(grid, *position, field=f"{field_prefix}position", what="发现位置")
    needs = item.get("needs_handling", False)
    if not isinstance(needs, bool):
        raise Rejected("grid.needs_handling_invalid", "“需要处置”须为是或否", field=f"{field_prefix}needs_handling")
    return {"description": description, "needs_handling": needs, "lng": position[0] if position else None, "lat": position[1] if position else None}


@transaction.atomic
def add_finding(
    actor, patrol: Patrol, *, description: str, needs_handling: bool = False, lng: float | None = None, lat: float | None = None,
    photo: tuple[bytes, str] | None = None,
) -> PatrolFinding:
    """Note something seen on the open patrol, with an optional photo."""
    grid = patrol.grid
    require_grid(actor, grid, EDITORS, "巡查")
    fields = _clean_finding(grid, {"description": description, "needs_handling": needs_handling, "lng": lng, "lat": lat})
    patrol = _own_open(actor, patrol, "记录发现")
    finding = PatrolFinding.objects.create(patrol=patrol, grid=grid, reported_by=actor, **fields)
    if photo is not None:
        content, name = photo
        finding.photos.add(attachments.store(content, name, "photo", case=None, actor=actor, field="photo"))
    record(
        actor, grid, "grid.patrol.finding", f"patrol:{patrol.pk}",
        f"巡查发现{'(需处置)' if fields['needs_handling'] else ''}：{fields['description'][:60]}",
        {"patrol": patrol.pk, "finding": finding.pk, "needs_handling": fields["needs_handling"]},
    )
    return finding


@transaction.atomic
def stop_patrol(actor, patrol: Patrol, *, summary: str = "", findings: list[dict] | None = None, at: datetime | None = None) -> Patrol:
    """End the patrol: the positions become its track (GeoJSON LineString) and distance, and the
    findings given here are saved with it. Of two stops at once (two tabs), one wins."""
    grid = patrol.grid
    require_grid(actor, grid, EDITORS, "巡查")
    summary = text(summary, field="summary", label="巡查情况", max_length=SUMMARY_MAX)
    findings = findings or []
    if not isinstance(findings, list) or len(findings) > FINDINGS_PER_STOP:
        raise Rejected("grid.findings_too_many", f"一次最多记录{FINDINGS_PER_STOP}条发现", field="findings")
    cleaned = []
    for index, item in enumerate(findings):
        if not isinstance(item, dict):
            raise Rejected("grid.finding_invalid", f"第{index + 1}条发现格式不正确", field=f"findings.{index}")
        cleaned.append(_clean_finding(grid, item, field_prefix=f"findings.{index}."))
    patrol = _own_open(actor, patrol, "结束")
    ended = _after_start(at, patrol, field="at", label="结束时间", code="grid.ended_at")
    ended = max(ended, patrol.started_at)
    points = list(PatrolPoint.objects.filter(patrol=patrol).order_by("recorded_at", "pk").values_list("lng", "lat"))
    track = line_string(points)
    distance = int(track_length_m(points))
    Patrol.objects.filter(pk=patrol.pk, ended_at__isnull=True).update(
        ended_at=ended, summary=summary, track=track, point_count=len(points), distance_m=distance
    )
    PatrolFinding.objects.bulk_create([PatrolFinding(patrol=patrol, grid=grid, reported_by=actor, created_at=ended, **item) for item in cleaned])
    record(
        actor, grid, "grid.patrol.stop", f"patrol:{patrol.pk}",
        f"{actor.display_name} 结束巡查 {grid.name}：{len(points)}个轨迹点，约{distance}米，发现{len(cleaned)}条",
        {"patrol": patrol.pk, "points": len(points), "distance_m": distance, "findings": len(cleaned)},
    )
    patrol.refresh_from_db()
    return patrol


@transaction.atomic
def upload_patrol(
    actor, grid: Area, *, started_at: datetime, ended_at: datetime, positions: list[dict], summary: str = "", findings: list[dict] | None = None,
) -> Patrol:
    """A whole patrol recorded on a phone without signal and sent afterwards (离线巡查上传): the
    same checks as start, positions and stop, in one transaction and one journal line. It may not
    overlap another patrol of the same worker."""
    require_grid(actor, grid, EDITORS, "巡查")
    if started_at is None or ended_at is None:
        raise Rejected("grid.patrol_times_required", "请提供巡查的开始和结束时间", field="started_at" if started_at is None else "ended_at")
    started_at = moment(started_at, field="started_at", label="开始时间", code="grid.started_at")
    ended_at = moment(ended_at, field="ended_at", label="结束时间", code="grid.ended_at", earliest=started_at, early_message="结束时间不能早于开始时间")
    if ended_at - started_at > timedelta(hours=24):
        raise Rejected("grid.patrol_too_long", "一次巡查不能超过24小时", field="ended_at")
    summary = text(summary, field="summary", label="巡查情况", max_length=SUMMARY_MAX)
    if not isinstance(positions, list) or not positions:
        raise Rejected("grid.positions_required", "没有收到位置", field="positions")
    if len(positions) > POINTS_PER_PATROL:
        raise Rejected("grid.track_too_long", f"一次巡查最多记录{POINTS_PER_PATROL}个位置", field="positions")
    findings = findings or []
    if not isinstance(findings, list) or len(findings) > FINDINGS_PER_STOP:
        raise Rejected("grid.findings_too_many", f"一次最多记录{FINDINGS_PER_STOP}条发现", field="findings")
    cleaned = [_clean_finding(grid, item, field_prefix=f"findings.{index}.") if isinstance(item, dict) else None for index, item in enumerate(findings)]
    if None in cleaned:
        raise Rejected("grid.finding_invalid", "发现格式不正确", field="findings")
    overlapping = Patrol.objects.filter(worker=actor, started_at__lt=ended_at).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=started_at))
    if overlapping.exists():
        raise Conflict("grid.patrol_overlaps", "该时段与您的另一次巡查重叠", field="started_at")
    patrol = Patrol(worker=actor, grid=grid, started_at=started_at, ended_at=ended_at, summary=summary)
    points = [_clean_position(patrol, grid, index, item) for index, item in enumerate(positions)]
    if any(point.recorded_at > ended_at + CLOCK_SKEW for point in points):
        raise Rejected("grid.position_after_end", "有位置的定位时间晚于巡查结束时间", field="positions")
    points.sort(key=lambda point: point.recorded_at)
    track = [(point.lng, point.lat) for point in points]
    patrol.track, patrol.point_count, patrol.distance_m = line_string(track), len(track), int(track_length_m(track))
    patrol.save(force_insert=True)
    for point in points:
        point.patrol = patrol
    PatrolPoint.objects.bulk_create(points)
    PatrolFinding.objects.bulk_create([PatrolFinding(patrol=patrol, grid=grid, reported_by=actor, created_at=ended_at, **item) for item in cleaned])
    record(
        actor, grid, "grid.patrol.upload", f"patrol:{patrol.pk}",
        f"{actor.display_name} 上传离线巡查 {grid.name}：{patrol.point_count}个轨迹点，约{patrol.distance_m}米，发现{len(cleaned)}条",
        {"patrol": patrol.pk, "points": patrol.point_count, "distance_m": patrol.distance_m, "findings": len(cleaned)},
    )
    return patrol


@transaction.atomic
def link_finding_to_case(actor, finding: PatrolFinding, case) -> PatrolFinding:
    """The hook for the events app: once it has opened an event for a finding, it records which
    case it became. A finding becomes one event only; a second link is a Conflict."""
    require_grid(actor, finding.grid, EDITORS, "上报事件")
    if case is None:
        raise NotFound("case.not_found", "事件不存在", field="case")
    if not PatrolFinding.objects.filter(pk=finding.pk, case__isnull=True).update(case=case):
        raise Conflict("grid.finding_already_reported", "该巡查发现已上报为事件")
    record(actor, finding.grid, "grid.patrol.finding_reported", f"patrol:{finding.patrol_id}", f"巡查发现已上报为事件 {case.number or case.pk}", {"finding": finding.pk, "case": case.pk})
    finding.case = case
    return finding
