"""The rules of taking evidence (调查取证), said once for the action, the buttons and the API:
in which states a case takes evidence, who may record it, the officers present (行政处罚法
Art. 42, 55: at least two, each certified for the place that day), and the two structured
records (现场检查笔录, 询问笔录, Art. 46's 现场笔录 and 当事人的陈述 / 证人证言)."""

from zhenjie.kernel.errors import Conflict, Forbidden, Rejected

from .certificates import certified
from .models import EvidenceKind
from .workflow import OFFICERS, State

# Registered and not yet at review: the investigation is open (调查取证 until 法制审核).
RECORDING_STATES = frozenset({State.INVESTIGATING, State.NOTIFIED, State.HEARING})
# Art. 55: 执法人员不得少于两人.
MIN_OFFICERS = 2
MAX_OFFICERS = 20
TITLE_MAX = 200  # Evidence.title
PLACE_MAX = 200  # Evidence.place
# Kinds that are the structured record itself; a signed scan may come with them, no file is needed.
RECORD_KINDS = frozenset({EvidenceKind.INSPECTION_RECORD, EvidenceKind.INTERVIEW_RECORD})


def may_record_evidence(standing) -> Conflict | Forbidden | None:
    """The "record_evidence" rule of the workflow: an officer of the case's area (or one the case
    is assigned to), certified today, while the investigation is open."""
    case = standing.case
    if case.state not in RECORDING_STATES:
        return Conflict("enforcement.evidence.wrong_state", f"案件当前为「{case.state_label}」，不能登记证据(立案后、提请法制审核前方可取证)")
    if not (standing.holds(OFFICERS) or standing.assigned()):
        return Forbidden("enforcement.evidence.forbidden", "只有本案的执法人员可以登记证据")
    return certified(standing)


# ---- the structured records ------------------------------------------------------------------

PERSON_MAX = 50
ANSWER_MAX = 2000
FINDINGS_MAX = 5000
MAX_QUESTIONS = 100


def _text(record: dict, key: str, label: str, max_length: int, required: bool = True) -> str:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise Rejected(f"evidence.record_{key}_invalid", f"{label}须为文本", field="record")
    value = (value or "").strip()
    if required and not value:
        raise Rejected(f"evidence.record_{key}_required", f"请填写{label}", field="record")
    if len(value) > max_length:
        raise Rejected(f"evidence.record_{key}_too_long", f"{label}不能超过{max_length}字(现有{len(value)}字)", field="record")
    return value


def _inspection(record: dict) -> dict:
    # 现场检查笔录: what was inspected, who of the party was there, what was found.
    return {
        "subject": _text(record, "subject", "检查对象", PERSON_MAX * 2),
        "present": _text(record, "present", "在场人员(当事人或见证人)", PERSON_MAX * 2, required=False),
        "findings": _text(record, "findings", "检查情况", FINDINGS_MAX),
    }


def _interview(record: dict) -> dict:
    # 询问笔录: who was questioned, as what, and each question with its answer in order.
    questions = record.get("questions")
    if not isinstance(questions, list) or not questions:
        raise Rejected("evidence.record_questions_required", "询问笔录须至少有一问一答", field="record")
    if len(questions) > MAX_QUESTIONS:
        raise Rejected("evidence.record_questions_too_many", f"询问笔录不能超过{MAX_QUESTIONS}问", field="record")
    lines = []
    for number, line in enumerate(questions, start=1):
        if not isinstance(line, dict):
            raise Rejected("evidence.record_questions_invalid", f"第{number}问格式不正确", field="record")
        lines.append({"q": _text(line, "q", f"第{number}问的问题", ANSWER_MAX), "a": _text(line, "a", f"第{number}问的回答", ANSWER_MAX)})
    return {
        "interviewee": _text(record, "interviewee", "被询问人", PERSON_MAX),
        "capacity": _text(record, "capacity", "被询问人身份(当事人、证人等)", PERSON_MAX),
        "questions": lines,
    }


RECORD_FORMS = {EvidenceKind.INSPECTION_RECORD: _inspection, EvidenceKind.INTERVIEW_RECORD: _interview}


def clean_record(kind: str, record) -> dict:
    """The structured record a record kind needs, checked; {} for the other kinds."""
    form = RECORD_FORMS.get(kind)
    if form is None:
        return {}
    if not isinstance(record, dict):
        raise Rejected("evidence.record_required", f"请填写{EvidenceKind(kind).label}的内容", field="record")
    return form(record)
