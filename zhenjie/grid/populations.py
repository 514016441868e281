"""The key populations (重点人群) a grid keeps a ledger (台账) of, what each ledger records, and
the defaults a county starts from for visiting them.

Seed 002 二(三) names the people and asks for ledgers: 1. 最低生活保障、特困人员供养 … 生计困难的
残疾人 ("动态完善救助对象基本信息"); 2. 留守儿童、困境儿童 ("定期走访 … 建立详实完备的工作台账，实行
动态管理"); 3. 优抚安置对象 ("走访慰问 … 建立详细人员信息台账"); 二(一)1 adds 高龄老人. None of them
says how often to visit, so the intervals below are ours, and each county edits them
(KeyPopulationSetting, page grid:settings)."""

from dataclasses import dataclass, field

from django.db import models


class Kind(models.TextChoices):
    SUBSISTENCE = "subsistence", "低保对象"
    EXTREME_POVERTY = "extreme_poverty", "特困供养人员"
    LEFT_BEHIND_CHILD = "left_behind_child", "留守儿童"
    CHILD_IN_DIFFICULTY = "child_in_difficulty", "困境儿童"
    ELDERLY_ALONE = "elderly_alone", "高龄独居老人"
    ENTITLED = "entitled", "重点优抚对象"
    DISABLED = "disabled", "残疾人"


@dataclass(frozen=True)
class Defaults:
    interval_days: int
    min_age: int | None
    max_age: int | None  # inclusive: 15 means "under 16"
    why: str


DEFAULTS: dict[str, Defaults] = {
    # Income is re-checked on a cycle; a quarterly call keeps the ledger "dynamic" (seed 002 二(三)1).
    Kind.SUBSISTENCE: Defaults(90, None, None, "季度走访，动态掌握家庭收入和生活变化(种子文件002 二(三)1)"),
    # People who depend wholly on public support and mostly live alone at home (分散供养): monthly.
    Kind.EXTREME_POVERTY: Defaults(30, None, None, "每月走访，特困人员多为分散供养、无人照料"),
    # Seed 002 二(三)2 asks for regular visits without an interval; monthly is our choice.
    # Under 16: 国务院《关于加强农村留守儿童关爱保护工作的意见》(国发〔2016〕13号) defines 留守儿童 so.
    Kind.LEFT_BEHIND_CHILD: Defaults(30, None, 15, "每月走访(种子文件002 二(三)2“定期走访”)；不满16周岁(国发〔2016〕13号)"),
    # Minors are under 18 (民法典第十七条).
    Kind.CHILD_IN_DIFFICULTY: Defaults(30, None, 17, "每月走访(种子文件002 二(三)2“定期走访”)；未满18周岁(民法典第十七条)"),
    # Someone very old living alone is where a visit finds a fall or an illness in time: weekly.
    # 80 is the usual meaning of 高龄 in subsidy schemes; the county may set its own.
    Kind.ELDERLY_ALONE: Defaults(7, 80, None, "每周走访，及时发现跌倒、疾病等意外；80周岁以上"),
    Kind.ENTITLED: Defaults(90, None, None, "季度走访慰问(种子文件002 二(三)3)"),
    Kind.DISABLED: Defaults(90, None, None, "季度走访，掌握康复、照料和补贴落实情况(种子文件002 二(三)1)"),
}


@dataclass(frozen=True)
class LedgerField:
    key: str
    label: str
    type: str = "text"  # text / int / choice
    max_length: int = 64
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 1_000_000


@dataclass(frozen=True)
class Ledger:
    contact_label: str  # who the contact person is for this kind
    fields: tuple[LedgerField, ...] = field(default_factory=tuple)


CERTIFICATE = "certificate_number"
LEDGERS: dict[str, Ledger] = {
    Kind.SUBSISTENCE: Ledger(
        "联系人",
        (
            LedgerField(CERTIFICATE, "低保证号", max_length=32),
            LedgerField("household_size", "保障人口(人)", "int", minimum=1, maximum=20),
            LedgerField("monthly_amount", "月保障金额(元)", "int", minimum=0, maximum=100_000),
        ),
    ),
    Kind.EXTREME_POVERTY: Ledger(
        "联系人",
        (
            # 《社会救助暂行办法》第十九条: 可以在供养服务机构集中供养，也可以在家分散供养.
            LedgerField("support_mode", "供养方式", "choice", choices=("集中供养", "分散供养")),
            LedgerField("self_care", "生活自理能力", "choice", choices=("完全自理", "部分失能", "完全失能")),
        ),
    ),
    Kind.LEFT_BEHIND_CHILD: Ledger(
        "监护人",
        (
            LedgerField("guardianship", "监护类型", "choice", choices=("祖辈监护", "亲属监护", "父母一方监护", "其他")),
            LedgerField("parents_working_in", "父母务工地", max_length=64),
            LedgerField("school", "就读学校", max_length=64),
        ),
    ),
    Kind.CHILD_IN_DIFFICULTY: Ledger(
        "监护人",
        (
            # 国务院《关于加强困境儿童保障工作的意见》(国发〔2016〕36号) names these three kinds of difficulty.
            LedgerField("difficulty", "困境类型", "choice", choices=("家庭贫困", "自身残疾", "监护缺失或不当")),
            LedgerField("school", "就读学校", max_length=64),
        ),
    ),
    Kind.ELDERLY_ALONE: Ledger(
        "紧急联系人",
        (
            LedgerField("health", "健康状况", max_length=64),
            LedgerField("helper", "结对帮扶人", max_length=32),
        ),
    ),
    Kind.ENTITLED: Ledger(
        "联系人",
        (
            LedgerField(
                "category", "优抚类别", "choice",
                choices=("残疾军人", "烈士遗属", "因公牺牲军人遗属", "病故军人遗属", "在乡复员军人", "带病回乡退伍军人", "其他"),
            ),
            LedgerField(CERTIFICATE, "优待证号", max_length=32),
        ),
    ),
    Kind.DISABLED: Ledger(
        "联系人",
        (
            # GB/T 26341-2010 残疾人残疾分类和分级: seven categories, four grades.
            LedgerField("disability_type", "残疾类别", "choice", choices=("视力", "听力", "言语", "肢体", "智力", "精神", "多重")),
            LedgerField("disability_grade", "残疾等级", "choice", choices=("一级", "二级", "三级", "四级")),
            LedgerField(CERTIFICATE, "残疾人证号", max_length=32),
        ),
    ),
}


def kind_label(kind: str) -> str:
    try:
        return Kind(kind).label
    except ValueError:
        return kind
