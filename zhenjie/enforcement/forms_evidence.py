"""The shape of the evidence form; the rules are the action's (actions/evidence.py,
rules_evidence.py). The interview's questions are rows of the form: it opens with a few, and
「增加问答行」 sends it back with more, keeping what was typed (no script needed, as the key-person
form reloads for its kind)."""

from django import forms

from zhenjie.workbench.forms import StyledFormMixin

from .models import EvidenceKind
from .rules_evidence import ANSWER_MAX, FINDINGS_MAX, MAX_QUESTIONS, PERSON_MAX, PLACE_MAX, TITLE_MAX

ROWS_START, ROWS_MORE = 3, 3


def question_rows(data) -> int:
    """How many question rows the form shows: what it was sent with, plus more when asked."""
    try:
        rows = int((data or {}).get("rows", ROWS_START))
    except (TypeError, ValueError):
        rows = ROWS_START
    if data and "more" in data:
        rows += ROWS_MORE
    return max(1, min(rows, MAX_QUESTIONS))


class EvidenceForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="证据种类", choices=EvidenceKind.choices)
    title = forms.CharField(label="证据名称", max_length=TITLE_MAX)
    taken_at = forms.DateTimeField(label="取证时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))  # fmt: skip
    place = forms.CharField(label="取证地点", max_length=PLACE_MAX)
    officers = forms.MultipleChoiceField(label="在场执法人员", required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text="至少两名，含记录人本人；每人须持有取证当日在本乡镇(街道)有效的执法证(《行政处罚法》第四十二条、第五十五条)")  # fmt: skip
    file = forms.FileField(
        label="证据文件",
        required=False,
        help_text="图片、PDF、Word、Excel或MP4视频；现场检查笔录、询问笔录可不附(可附签字后的扫描件)",
    )
    # 现场检查笔录
    subject = forms.CharField(label="检查对象(现场检查笔录)", max_length=PERSON_MAX * 2, required=False)
    present = forms.CharField(label="在场人员(现场检查笔录)", max_length=PERSON_MAX * 2, required=False)
    findings = forms.CharField(
        label="检查情况(现场检查笔录)", max_length=FINDINGS_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    # 询问笔录
    interviewee = forms.CharField(label="被询问人(询问笔录)", max_length=PERSON_MAX, required=False)
    capacity = forms.CharField(label="被询问人身份(询问笔录)", max_length=PERSON_MAX, required=False, help_text="当事人、证人等")
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].choices = list(officers)
        self.rows = question_rows(self.data)
        self.data = self.data.copy() if self.data else self.data
        if self.data:
            self.data["rows"] = str(self.rows)
        else:
            self.initial["rows"] = self.rows
        for n in range(1, self.rows + 1):
            self.fields[f"q_{n}"] = forms.CharField(label=f"第{n}问", max_length=ANSWER_MAX, required=False)
            self.fields[f"a_{n}"] = forms.CharField(label=f"第{n}答", max_length=ANSWER_MAX, required=False,
                                                    widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
            for name in (f"q_{n}", f"a_{n}"):
                self.fields[name].widget.attrs["class"] = "form-control"

    @property
    def question_fields(self):
        return [(self[f"q_{n}"], self[f"a_{n}"]) for n in range(1, self.rows + 1)]

    @property
    def main_fields(self):
        return [self[name] for name in ("kind", "title", "taken_at", "place", "officers", "file")]

    @property
    def inspection_fields(self):
        return [self[name] for name in ("subject", "present", "findings")]

    @property
    def interview_fields(self):
        return [self[name] for name in ("interviewee", "capacity")]

    def record(self) -> dict | None:
        """The structured record of the kind chosen, as the action takes it (it checks it)."""
        data = self.cleaned_data
        if data["kind"] == EvidenceKind.INSPECTION_RECORD:
            return {"subject": data["subject"], "present": data["present"], "findings": data["findings"]}
        if data["kind"] == EvidenceKind.INTERVIEW_RECORD:
            questions = [{"q": data[f"q_{n}"], "a": data[f"a_{n}"]} for n in range(1, self.rows + 1)]
            return {"interviewee": data["interviewee"], "capacity": data["capacity"],
                    "questions": [line for line in questions if line["q"].strip() or line["a"].strip()]}  # fmt: skip
        return None
