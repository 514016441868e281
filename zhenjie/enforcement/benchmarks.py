"""The county's discretion benchmarks (裁量基准) per power item: the reads, for anyone working in
the county (the officers and leaders pick one when deciding), and the county administrator's
changes. A decision copies the range it applied (actions.decision.benchmark_text), so an edit
here changes no decision already made.

行政处罚法 Art. 34: 行政机关可以依法制定行政处罚裁量基准，规范行使行政处罚裁量权；行政处罚裁量基准应当向社会公布."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.kernel import inputs, journal
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.scoping import reach_of
from zhenjie.workbench.excel import Column

from .models import DiscretionBenchmark
from .policy import policy_at

PREFIX = "enforcement"
EDITORS = frozenset({RoleCode.COUNTY_ADMIN})
FINE_HIGH = Decimal("100000000")
OTHER_MAX, SOURCE_MAX, CIRCUMSTANCE_MAX, CODE_MAX = 1000, 200, 60, 64


def _counties(user) -> set[str]:
    return {county_path(grant.path) for grant in reach_of(user).grants if grant.path}


def benchmarks_for(user) -> QuerySet[DiscretionBenchmark]:
    """The benchmarks of the counties the user works in, by power item and circumstance: a fixed
    number of queries whatever the rows."""
    return (
        DiscretionBenchmark.objects.filter(county__path__in=sorted(_counties(user)))
        .select_related("county", "updated_by")
        .order_by("power_code", "circumstance", "pk")
    )


def get_benchmark_for(user, pk: int) -> DiscretionBenchmark:
    try:
        return benchmarks_for(user).get(pk=pk)
    except DiscretionBenchmark.DoesNotExist:
        raise NotFound("enforcement.benchmark_not_found", "裁量基准不存在") from None


def editable_counties(user) -> QuerySet[Area]:
    """The counties whose benchmarks the user keeps: the county administrator's own."""
    paths = [path for path in reach_of(user).roots_with(EDITORS) if county_path(path) == path]
    return Area.objects.filter(path__in=paths, level=Area.Level.COUNTY).order_by("path")


def can_edit(user, benchmark: DiscretionBenchmark) -> bool:
    return editable_counties(user).filter(pk=benchmark.county_id).exists()


@dataclass(kw_only=True)
class BenchmarkValues:
    power_code: str
    circumstance: str
    fine_min: object
    fine_max: object
    source_document: str
    other_penalties: str = ""


def _amount(value, field: str, label: str) -> Decimal:
    if value in (0, "0", "0.00") and not isinstance(value, bool):
        return Decimal("0.00")  # a range may start at nothing (警告 or 不予罚款 at its low end)
    return inputs.money(value, field=field, label=label, code=PREFIX, high=FINE_HIGH)


def _clean(values: BenchmarkValues) -> dict:
    cleaned = {
        "power_code": inputs.text(values.power_code, field="power_code", label="权责事项编码", max_length=CODE_MAX, code=PREFIX, required=True),
        "circumstance": inputs.text(values.circumstance, field="circumstance", label="情节", max_length=CIRCUMSTANCE_MAX, code=PREFIX, required=True),
        "fine_min": _amount(values.fine_min, "fine_min", "罚款下限"),
        "fine_max": _amount(values.fine_max, "fine_max", "罚款上限"),
        "other_penalties": inputs.text(values.other_penalties, field="other_penalties", label="其他处罚种类", max_length=OTHER_MAX, code=PREFIX),
        "source_document": inputs.text(values.source_document, field="source_document", label="制定依据(文件)", max_length=SOURCE_MAX, code=PREFIX, required=True),
    }  # fmt: skip
    if cleaned["fine_min"] > cleaned["fine_max"]:
        raise Rejected("enforcement.benchmark_range", "罚款下限不能高于上限", field="fine_min")
    return cleaned


def _record(actor, benchmark: DiscretionBenchmark, verb: str, before: dict | None) -> None:
    after = {"power_code": benchmark.power_code, "circumstance": benchmark.circumstance, "fine_min": str(benchmark.fine_min),
             "fine_max": str(benchmark.fine_max), "other_penalties": benchmark.other_penalties, "source_document": benchmark.source_document}  # fmt: skip
    journal.record(actor=actor, verb=verb, subject=f"benchmark:{benchmark.county_id}:{benchmark.pk}",
                   summary=f"裁量基准 {benchmark.power_code} {benchmark.circumstance}", data={"before": before, "after": after})  # fmt: skip


def _duplicate(cleaned: dict) -> Rejected:
    return Rejected(
        "enforcement.benchmark_duplicate",
        f"事项{cleaned['power_code']}已有情节为「{cleaned['circumstance']}」的裁量基准",
        field="circumstance",
    )


@transaction.atomic
def add_benchmark(actor, county: Area | None, values: BenchmarkValues) -> DiscretionBenchmark:
    """The county administrator adds a circumstance to a power item's benchmark."""
    counties = editable_counties(actor)
    if county is None:
        county = counties.first()
    if county is None or not counties.filter(pk=county.pk).exists():
        raise Forbidden("enforcement.benchmark_editor", "只有县级管理员可以维护本县的裁量基准")
    cleaned = _clean(values)
    try:
        with transaction.atomic():
            benchmark = DiscretionBenchmark.objects.create(county=county, updated_by=actor, **cleaned)
    except IntegrityError:
        raise _duplicate(cleaned) from None
    _record(actor, benchmark, "benchmark_add", None)
    return benchmark


@transaction.atomic
def change_benchmark(actor, benchmark: DiscretionBenchmark, values: BenchmarkValues, seen_at=None) -> DiscretionBenchmark:
    """Change a benchmark; `seen_at` (the updated time the editor started from) makes a change
    over someone else's a Conflict instead of silently undoing theirs."""
    if not can_edit(actor, benchmark):
        raise Forbidden("enforcement.benchmark_editor", "只有县级管理员可以维护本县的裁量基准")
    cleaned = _clean(values)
    locked = DiscretionBenchmark.objects.select_for_update().get(pk=benchmark.pk)
    if seen_at is not None and locked.updated_at != seen_at:
        raise Conflict("enforcement.benchmark_changed", "该裁量基准刚被他人修改，请刷新后再改")
    before = {
        "power_code": locked.power_code,
        "circumstance": locked.circumstance,
        "fine_min": str(locked.fine_min),
        "fine_max": str(locked.fine_max),
    }
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.updated_by = actor
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise _duplicate(cleaned) from None
    _record(actor, locked, "benchmark_change", before)
    return locked


COLUMNS = (
    Column("权责事项编码", lambda b: b.power_code, 16),
    Column("情节", lambda b: b.circumstance, 16),
    Column("罚款下限(元)", lambda b: str(b.fine_min), 14),
    Column("罚款上限(元)", lambda b: str(b.fine_max), 14),
    Column("其他处罚种类", lambda b: b.other_penalties, 30),
    Column("制定依据(文件)", lambda b: b.source_document, 30),
    Column("县", lambda b: b.county.name, 12),
    Column("更新时间", lambda b: b.updated_at.strftime("%Y-%m-%d %H:%M"), 18),
)


def extension_max_for(user) -> int:
    """The limit on extensions in the user's (first) county (执法设置), shown beside the benchmarks."""
    counties = sorted(_counties(user))
    return policy_at(counties[0] if counties else "").extension_max_days
