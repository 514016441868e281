"""The enforcement team's documents (文书, kernel/DOCUMENTS.md): numbered PDFs from templates the
county edits, each in the team's own series per year (甲镇综执立〔2026〕第3号), kept by SHA-256
and attached to the case.

HOW TO ADD A KIND (other parts: the notice, hearing, review, decision, service, closing report):
declare it in a module of your own named for your papers (e.g. `papers_hearing.py`) with
`declare(...)` below — code and series `enforcement_<name>`, a one- or two-character mark for its
number, its fields and default wording — and import that module from `apps.EnforcementConfig.ready`
beside this one. `declare` gives every kind the same issuer rule (`team_issuer`: an officer of
the case's place issues in the team's name) and the same number form; pass `issuer=` for a
kind someone else issues (a leader's decision, a reviewer's opinion: `acting_as(roles)`, numbered
in that person's unit's series). Case-level values come from
`values(case)`; values of one record (an evidence row, a hearing) are supplied through
`extra=` after `from_records()`, so a rare character in the records prints as [U+XXXX] instead
of refusing the document.

The marks, one per kind so every number says which paper it is (the case itself is 甲镇综执〔2026〕…):
立 立案审批表, 检 现场检查笔录, 询 询问笔录 (here); 告 行政处罚事先告知书, 听 听证通知书
(papers_hearing); 审 法制审核意见书, 决 行政处罚决定书, 当 当场行政处罚决定书 (papers_decision);
送 送达回证, 催 催告书, 结 结案报告 (papers_execution); 移 案件移送函 (papers_transfers).

This module declares the early documents of part 5: the 立案审批表 (issued inside
`register_case`, and on the case page for a case registered without one) and the two records of
the investigation, 现场检查笔录 and 询问笔录 (from an evidence row with its `record`, once per
row: printing again gives the same paper)."""

from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import documents
from zhenjie.kernel.documents import DocField
from zhenjie.kernel.documents.pdf import chinese_date
from zhenjie.kernel.documents.placeholders import recorded_value
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound
from zhenjie.kernel.models import Case, Document
from zhenjie.kernel.scoping import can_see_case, reach_of
from zhenjie.lists import queries as lists

from .models import EnforcementCase, Evidence, EvidenceKind
from .workflow import OFFICERS

REGISTRATION_FORM = "enforcement_registration_form"
INSPECTION_RECORD = "enforcement_inspection_record"
INTERVIEW_RECORD = "enforcement_interview_record"
# The evidence kind each record paper is generated from.
RECORD_PAPERS = {EvidenceKind.INSPECTION_RECORD: INSPECTION_RECORD, EvidenceKind.INTERVIEW_RECORD: INTERVIEW_RECORD}
SIGNATURE_LINE = "________________"
DATE_BLANK = "\u3000\u3000年\u3000月\u3000日"  # filled in by hand when signed


def team_issuer(actor, case: Case) -> int | None:
    """An enforcement officer whose jurisdiction holds the case issues in the name, and number
    series, of the case's team (the team acts in the township's name, seed 004 §二)."""
    if not reach_of(actor).roles_in(case.area) & OFFICERS:
        return None
    return EnforcementCase.objects.filter(case=case).values_list("team_id", flat=True).first()


def acting_as(roles: frozenset[str]):
    """The issuer rule of a paper someone outside the team issues (a reviewer's opinion, a
    leader's decision): the unit of the post that gives the role where the case is, as the
    kernel's own role rule would choose, numbered in that unit's series."""

    def issuer(actor, case: Case) -> int | None:
        return reach_of(actor).unit_acting_in(case.area, roles)

    return issuer


def declare(code: str, label: str, mark: str, *, fields: tuple, body: str, values=lambda case: {}, issuer=team_issuer,
            who: str = "本案所在地的执法人员", numbered_by: str = "执法队") -> documents.DocumentKind:  # fmt: skip
    """One enforcement kind: numbered per issuing unit (the team, unless `issuer=` says another),
    kind and year as 甲镇综执{mark}〔2026〕第1号."""
    return documents.register_kind(documents.DocumentKind(
        code=code, label=label, number_series=code, number_prefix=lambda case, unit: f"{unit.area.name[:2]}综执{mark}",
        issuer=issuer, forbidden_message=f"只有{who}可以出具{label}", number_rule=f"按{numbered_by}、年度连续编号，如 甲镇综执{mark}〔2026〕第3号",
        fields=fields, values=values, default_title=label, default_body=body,
    ))  # fmt: skip


def from_records(values: dict[str, str]) -> dict[str, str]:
    """Values read from stored records, made printable as the kernel prints its own (a character
    the font lacks as [U+XXXX]), to pass as `extra=`."""
    return {name: recorded_value(value) for name, value in values.items()}


def party_line(enforcement: EnforcementCase) -> str:
    """The party as a document may show them: the name and the masked identifier (kernel/PARTIES.md)."""
    party = enforcement.party
    if party is None:
        return "尚不明确"
    label = "统一社会信用代码" if party.kind == party.Kind.ORGANISATION else "身份证号"
    return f"{party.name}({label}：{party.id_number_masked})" if party.id_number_masked else party.name


# ---- 立案审批表 ----------------------------------------------------------------------------------


def competence_line(enforcement: EnforcementCase) -> str:
    """Why the township may act: its own power list or a delegation, as it stood on the
    registration day (lists.queries.exercise_basis, the rule registration itself applied)."""
    on = timezone.localdate(enforcement.registered_at)
    basis = lists.exercise_basis(enforcement.team, enforcement.power_code, on)
    if basis.allowed:
        return basis.reason
    return "赋权清单" if enforcement.power_source == "delegation" else f"{enforcement.team.area.name}权责清单"


def limitation_line(enforcement: EnforcementCase) -> str:
    # 行政处罚法 Art. 36: 2 years, 5 where life, health or financial security is endangered.
    from .actions.lifecycle import LIMITATION_YEARS, LIMITATION_YEARS_SAFETY, limitation_ends

    if enforcement.occurred_on is None:
        return "违法行为发生日期不明"
    years = LIMITATION_YEARS_SAFETY if enforcement.endangers_safety else LIMITATION_YEARS
    ends = limitation_ends(enforcement.occurred_on, enforcement.endangers_safety)
    found = timezone.localdate(enforcement.discovered_at)
    verdict = "未超过追责时效" if found <= ends else "已超过追责时效"
    return (f"违法行为发生(终了)于{chinese_date(enforcement.occurred_on)}，追责时效{years}年(《行政处罚法》第三十六条)，"
            f"至{chinese_date(ends)}止；于{chinese_date(found)}发现，{verdict}")  # fmt: skip


def _registration_values(case: Case) -> dict[str, str]:
    enforcement = EnforcementCase.objects.select_related("party", "team__area").get(case=case)
    return {
        "party": party_line(enforcement),
        "source": enforcement.get_source_display(),
        "place": enforcement.place,
        "facts": enforcement.facts,
        "power": f"{enforcement.power_code} {enforcement.power_name}",
        "legal_basis": enforcement.legal_basis or "—",
        "competence": competence_line(enforcement),
        "limitation": limitation_line(enforcement),
        "registered": chinese_date(enforcement.registered_at),
        "decision_due": chinese_date(case.due_at) if case.due_at else "—",
    }


REGISTRATION = declare(
    REGISTRATION_FORM, "立案审批表", "立",
    fields=(
        DocField("party", "当事人", sample="李建国(身份证号：3701**********1234)"),
        DocField("source", "案件来源", sample="巡查发现"),
        DocField("place", "违法地点", sample="××村××组"),
        DocField("facts", "案情摘要", sample="未经批准擅自搭建彩钢棚。"),
        DocField("power", "权责事项", sample="CF001 对未经批准擅自建设的处罚"),
        DocField("legal_basis", "法律依据", sample="《中华人民共和国城乡规划法》第六十五条"),
        DocField("competence", "管辖依据", sample="列入××镇权责清单(第1版，2026-01-01起施行)"),
        DocField("limitation", "追责时效", sample="违法行为发生(终了)于2026年1月1日，追责时效2年……未超过追责时效"),
        DocField("registered", "立案日期", sample="2026年1月2日"),
        DocField("decision_due", "决定期限", sample="2026年4月2日"),
    ),
    values=_registration_values,
    body=(
        "案件编号：{case_number}\n"
        "案由：{case_title}\n"
        "当事人：{party}\n"
        "案件来源：{source}\n"
        "违法地点：{place}\n"
        "案情摘要：\n"
        "\u3000\u3000{facts}\n"
        "权责事项：{power}\n"
        "法律依据：{legal_basis}\n"
        "管辖依据：{competence}\n"
        "追责时效：{limitation}\n"
        "立案日期：{registered}；依《中华人民共和国行政处罚法》第六十条，应于{decision_due}前作出处理决定(中止期间不计)。\n"
        "承办人意见：符合立案条件，建议立案。\n"
        f"承办人：{{issuer}}\u3000签名：{SIGNATURE_LINE}\n"
        "审核意见：\n"
        f"审核人签名：{SIGNATURE_LINE}{DATE_BLANK}\n"
        "负责人审批意见：\n"
        f"负责人签名：{SIGNATURE_LINE}{DATE_BLANK}"
    ),
)  # fmt: skip


def registration_form_of(case: Case) -> Document | None:
    return Document.objects.filter(case=case, kind=REGISTRATION_FORM).order_by("pk").first()


@transaction.atomic
def issue_registration_form(actor, enforcement: EnforcementCase) -> Document:
    """The case's 立案审批表: issued once, after registration (行政处罚法 Art. 54: 立案 needs the
    organ's approval on record); asked again, the one issued is given back, not a new number."""
    case = Case.objects.select_for_update().select_related("area").get(pk=enforcement.case_id)
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    existing = registration_form_of(case)
    if existing is not None:
        return existing
    if not EnforcementCase.objects.filter(pk=enforcement.pk, registered_at__isnull=False).exists():
        raise Conflict("enforcement.not_registered", "案件尚未立案，不能出具立案审批表")
    return documents.issue_document(actor, case, REGISTRATION_FORM)


# ---- 现场检查笔录 and 询问笔录 -------------------------------------------------------------------


def officers_line(evidence: Evidence) -> str:
    """Each officer present with the certificate number held when the evidence was taken (Art. 55:
    the certificates were shown), as the evidence action recorded them."""
    numbers = evidence.certificates or {}
    return "、".join(f"{o.display_name}(执法证号：{numbers.get(str(o.pk), '—')})" for o in evidence.officers.all())


def _record_common(evidence: Evidence) -> dict[str, str]:
    return {
        "taken": f"{chinese_date(evidence.taken_at)}{timezone.localtime(evidence.taken_at):%H时%M分}",
        "taken_place": evidence.place,
        "officers": officers_line(evidence),
        "recorder": evidence.recorded_by.display_name,
        "evidence_title": evidence.title,
    }


RECORD_FIELDS = (
    DocField("taken", "时间", supplied=True, max_length=40, sample="2026年1月2日09时30分"),
    DocField("taken_place", "地点", supplied=True, max_length=400, sample="××村××组"),
    DocField(
        "officers",
        "执法人员及执法证号",
        supplied=True,
        max_length=4000,
        sample="张三(执法证号：37990001)、李四(执法证号：37990002)",
    ),
    DocField("recorder", "记录人", supplied=True, max_length=200, sample="张三"),
    DocField("evidence_title", "证据名称", supplied=True, max_length=400, sample="现场检查笔录"),
)
# Art. 55: the officers show their certificates and tell the party of their rights.
SHOWN = "执法人员已出示执法证件，表明身份，告知当事人有陈述、申辩和申请回避的权利。"


def _inspection_values(record: dict) -> dict[str, str]:
    return {
        "subject": record.get("subject", ""),
        "present": record.get("present", "") or "无",
        "findings": record.get("findings", ""),
    }


def _interview_values(record: dict) -> dict[str, str]:
    lines = []
    for line in record.get("questions", []):
        lines += [f"问：{line.get('q', '')}", f"答：{line.get('a', '')}"]
    return {"interviewee": record.get("interviewee", ""), "capacity": record.get("capacity", ""), "questions": "\n".join(lines)}


INSPECTION = declare(
    INSPECTION_RECORD, "现场检查笔录", "检",
    fields=RECORD_FIELDS + (
        DocField("subject", "检查对象", supplied=True, max_length=400, sample="××建材经营部"),
        DocField("present", "在场人员", supplied=True, required=False, max_length=400, sample="王五(经营者)"),
        DocField("findings", "检查情况", supplied=True, max_length=20000, sample="现场有一处彩钢棚，约30平方米……"),
    ),
    body=(
        "案件编号：{case_number}\u3000案由：{case_title}\n"
        "检查时间：{taken}\n"
        "检查地点：{taken_place}\n"
        "检查对象：{subject}\n"
        "在场人员：{present}\n"
        "执法人员：{officers}\n"
        "记录人：{recorder}\n"
        f"\u3000\u3000{SHOWN}\n"
        "检查情况：\n"
        "\u3000\u3000{findings}\n"
        "当事人(见证人)意见：\n"
        f"当事人(见证人)签名：{SIGNATURE_LINE}{DATE_BLANK}\n"
        f"执法人员签名：{SIGNATURE_LINE}\u3000{SIGNATURE_LINE}\n"
        f"记录人签名：{SIGNATURE_LINE}{DATE_BLANK}"
    ),
)  # fmt: skip

# 100 questions and answers of 2,000 characters each (rules_evidence), with their 问：/答： marks.
QUESTIONS_MAX = 100 * (2 * 2000 + 6)

INTERVIEW = declare(
    INTERVIEW_RECORD, "询问笔录", "询",
    fields=RECORD_FIELDS + (
        DocField("interviewee", "被询问人", supplied=True, max_length=200, sample="王五"),
        DocField("capacity", "被询问人身份", supplied=True, max_length=200, sample="当事人"),
        DocField("questions", "询问内容", supplied=True, max_length=QUESTIONS_MAX, sample="问：该彩钢棚是谁搭建的？\n答：是我搭建的。"),
    ),
    body=(
        "案件编号：{case_number}\u3000案由：{case_title}\n"
        "询问时间：{taken}\n"
        "询问地点：{taken_place}\n"
        "被询问人：{interviewee}\u3000身份：{capacity}\n"
        "询问人：{officers}\n"
        "记录人：{recorder}\n"
        f"\u3000\u3000{SHOWN}你应当如实回答询问，并协助调查，不得阻挠。\n"
        "{questions}\n"
        "被询问人意见：以上笔录我已看过(已向我宣读)，与我所说一致。\n"
        f"被询问人签名：{SIGNATURE_LINE}{DATE_BLANK}\n"
        f"询问人签名：{SIGNATURE_LINE}\u3000{SIGNATURE_LINE}\n"
        f"记录人签名：{SIGNATURE_LINE}{DATE_BLANK}"
    ),
)  # fmt: skip

RECORD_VALUES = {EvidenceKind.INSPECTION_RECORD: _inspection_values, EvidenceKind.INTERVIEW_RECORD: _interview_values}


@transaction.atomic
def issue_record_paper(actor, evidence: Evidence) -> Document:
    """The 笔录 of an inspection or interview recorded as evidence, once per row: asked again, the
    paper issued is given back (a record is one paper with one number to sign)."""
    row = (
        Evidence.objects.select_for_update()
        .filter(pk=evidence.pk)
        .select_related("enforcement__case__area", "recorded_by")
        .first()
    )
    if row is None or not can_see_case(actor, row.enforcement.case):
        raise NotFound("evidence.not_found", "证据不存在或不在您的辖区内")
    if row.paper_id is not None:
        return row.paper
    code = RECORD_PAPERS.get(row.kind)
    if code is None:
        raise Conflict("evidence.no_paper", f"「{row.get_kind_display()}」不是笔录，没有可生成的文书")
    if not documents.kind_for(code).may_issue(actor, row.enforcement.case):
        raise Forbidden("document.not_allowed", f"只有本案所在地的执法人员可以生成{EvidenceKind(row.kind).label}")
    values = _record_common(row) | RECORD_VALUES[row.kind](row.record or {})
    document = documents.issue_document(actor, row.enforcement.case, code, extra=from_records(values))
    Evidence.objects.filter(pk=row.pk).update(paper=document)
    return document
