"""Taking evidence (调查取证): two certified officers, the file kept by its SHA-256, the structured
records, and every refusal changing nothing."""

import hashlib
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from zhenjie.enforcement.actions.evidence import Upload, record_evidence
from zhenjie.enforcement.models import Certificate, Evidence, EvidenceKind
from zhenjie.enforcement.testing import make_enforcement_case
from zhenjie.enforcement.workflow import State
from zhenjie.kernel import workflow
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Attachment, JournalEntry
from zhenjie.testing import png

pytestmark = pytest.mark.django_db


def photo(ew, case, actor=None, **changes):
    fields = {
        "kind": EvidenceKind.PHOTO, "title": "彩钢棚现场照片", "taken_at": timezone.now(),
        "place": "甲镇某村东头", "officers": [ew.officer_a1, ew.officer_a2], "file": Upload(png(), "现场.png"),
    } | changes  # fmt: skip
    return record_evidence(actor or ew.officer_a1, case, **fields)


def nothing_written(case):
    return not Evidence.objects.exists() and not JournalEntry.objects.filter(case_id=case.case_id, verb="enforcement.evidence.record").exists()


def test_two_certified_officers_record_a_photo_kept_by_its_sha256_and_journaled_with_it(ew, case):
    content = png("red")
    evidence = photo(ew, case, file=Upload(content, "现场.png"))

    digest = hashlib.sha256(content).hexdigest()
    assert evidence.sha256 == digest == evidence.attachment.blob_id
    with default_storage.open(f"blobs/{digest[:2]}/{digest}", "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == digest
    assert sorted(o.username for o in evidence.officers.all()) == ["officer_a1", "officer_a2"]
    entry = JournalEntry.objects.get(case_id=case.case_id, verb="enforcement.evidence.record")
    assert entry.data["sha256"] == digest and entry.summary == "登记证据：彩钢棚现场照片"
    assert entry.data["officers"] == {str(ew.officer_a1.pk): "37990001", str(ew.officer_a2.pk): "37990002"}


def test_an_officer_whose_certificate_expired_cannot_record_evidence_and_is_told_which(ew, case):
    Certificate.objects.filter(officer=ew.officer_a2).update(valid_from=date(2025, 1, 1), valid_until=date(2026, 3, 1))

    with pytest.raises(Rejected) as refused:  # a present officer's lapsed certificate
        photo(ew, case)
    assert refused.value.message == "执法人员officer_a2：执法证 37990002 已于2026年3月1日过期，不能实施执法"
    assert refused.value.fields == {"officers": refused.value.message}

    with pytest.raises(Forbidden) as refused:  # the recorder's own
        photo(ew, case, actor=ew.officer_a2)
    assert "执法证 37990002 已于2026年3月1日过期" in refused.value.message
    assert nothing_written(case)


def test_a_revoked_certificate_or_one_for_another_township_does_not_count(ew, case):
    Certificate.objects.filter(officer=ew.officer_a2).update(revoked_at=timezone.now())
    with pytest.raises(Rejected, match="执法证 37990002 已于.*注销"):
        photo(ew, case)
    Certificate.objects.filter(officer=ew.officer_a2).update(revoked_at=None, area=ew.world.b)
    with pytest.raises(Rejected, match="officer_a2：没有在甲镇有效的执法证"):
        photo(ew, case)
    assert nothing_written(case)


def test_one_officer_alone_is_refused(ew, case):
    with pytest.raises(Rejected, match="执法人员不得少于2人") as refused:
        photo(ew, case, officers=[ew.officer_a1, ew.officer_a1])
    assert refused.value.field == "officers"
    assert nothing_written(case)


def test_the_recorder_must_be_one_of_the_officers_present(ew, case):
    with pytest.raises(Rejected, match="记录人须为在场的执法人员之一"):
        photo(ew, case, actor=ew.officer_a2, officers=[ew.officer_a1, ew.officer_b1])


def test_an_officer_of_township_b_cannot_add_evidence_to_as_case(ew, case):
    with pytest.raises(NotFound):
        photo(ew, case, actor=ew.officer_b1, officers=[ew.officer_b1, ew.officer_b2])
    assert nothing_written(case)


def test_evidence_is_taken_only_while_the_investigation_is_open(ew):
    lead = make_enforcement_case(ew)
    with pytest.raises(Conflict, match="案件当前为「待立案」，不能登记证据"):
        photo(ew, lead)
    reviewing = make_enforcement_case(ew, state=State.REVIEWING)
    with pytest.raises(Conflict):
        photo(ew, reviewing)
    assert not Evidence.objects.exists()


def test_evidence_taken_in_the_minute_the_lead_was_opened_is_recorded(ew, case):
    """The form gives the time to the minute: the lead's own minute is not before it."""
    discovered = timezone.now().replace(second=40, microsecond=0) - timedelta(minutes=5)
    type(case).objects.filter(pk=case.pk).update(discovered_at=discovered)
    case.refresh_from_db()

    evidence = photo(ew, case, taken_at=discovered.replace(second=0))
    assert evidence.taken_at == discovered.replace(second=0)
    with pytest.raises(Rejected, match="取证时间不能早于发现线索的时间"):
        photo(ew, case, taken_at=discovered.replace(second=0) - timedelta(minutes=1))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"file": None}, "file", "请上传证据文件"),
        ({"taken_at": timezone.now() + timedelta(hours=2)}, "taken_at", "取证时间不能晚于现在"),
        ({"taken_at": timezone.now() - timedelta(days=400)}, "taken_at", "取证时间不能早于发现线索的时间"),
        ({"taken_at": "昨天"}, "taken_at", "取证时间格式不正确"),
        ({"officers": ["officer_a2", 999999]}, "officers", "执法人员“officer_a2”不存在"),
        ({"officers": [None, 999999]}, "officers", "不存在"),
        ({"officers": "officer_a2"}, "officers", "请选择在场的执法人员"),
        ({"title": "照" * 201}, "title", "证据名称不能超过200字(现有201字)"),
        ({"title": "  "}, "title", "请填写证据名称"),
        ({"place": "村" * 201}, "place", "取证地点不能超过200字"),
        ({"kind": "rumour"}, "kind", "请选择有效的证据种类"),
        ({"file": Upload(b"MZ\x90\x00 not a photo", "a.exe")}, "file", "文件类型不支持"),
    ],
)
def test_bad_input_is_refused_in_chinese_naming_the_field_and_writes_nothing(ew, case, changes, field, message):
    attachments_before = Attachment.objects.count()
    with pytest.raises(Rejected) as refused:
        photo(ew, case, **changes)
    assert message in refused.value.message and field in refused.value.fields
    assert nothing_written(case) and Attachment.objects.count() == attachments_before


def test_an_unknown_officer_id_is_named(ew, case):
    with pytest.raises(Rejected, match="没有ID为999999的在岗执法人员"):
        photo(ew, case, officers=[ew.officer_a1.pk, 999999])


def test_an_interview_record_keeps_who_was_questioned_and_each_question_and_answer(ew, case):
    record = {"interviewee": "李建国", "capacity": "当事人", "questions": [
        {"q": "彩钢棚是谁搭建的？", "a": "是我。"}, {"q": "是否办理规划许可？", "a": " 没有。 "}]}  # fmt: skip
    evidence = photo(ew, case, kind=EvidenceKind.INTERVIEW_RECORD, title="李建国询问笔录", file=None, record=record)

    evidence.refresh_from_db()
    assert evidence.attachment is None and evidence.sha256 == ""
    assert evidence.record == {"interviewee": "李建国", "capacity": "当事人", "questions": [
        {"q": "彩钢棚是谁搭建的？", "a": "是我。"}, {"q": "是否办理规划许可？", "a": "没有。"}]}  # fmt: skip


def test_an_inspection_record_without_findings_or_an_interview_without_questions_is_refused(ew, case):
    with pytest.raises(Rejected, match="请填写检查情况"):
        photo(ew, case, kind=EvidenceKind.INSPECTION_RECORD, file=None, record={"subject": "李建国彩钢棚"})
    with pytest.raises(Rejected, match="询问笔录须至少有一问一答"):
        photo(ew, case, kind=EvidenceKind.INTERVIEW_RECORD, file=None, record={"interviewee": "李建国", "capacity": "当事人"})
    with pytest.raises(Rejected, match="第1问的回答不能超过2000字"):
        photo(ew, case, kind=EvidenceKind.INTERVIEW_RECORD, file=None,
              record={"interviewee": "李建国", "capacity": "当事人", "questions": [{"q": "问", "a": "答" * 2001}]})  # fmt: skip
    assert nothing_written(case)


def test_an_officer_without_a_valid_certificate_takes_no_enforcement_step(ew):
    lead, investigating = make_enforcement_case(ew), make_enforcement_case(ew, state=State.INVESTIGATING)
    Certificate.objects.filter(officer=ew.officer_a1).update(valid_until=date(2026, 3, 1), valid_from=date(2025, 1, 1))

    assert "register" not in workflow.permitted_actions(ew.officer_a1, lead.case)
    assert "register" in workflow.permitted_actions(ew.officer_a2, lead.case)
    with pytest.raises(Forbidden, match="执法证 37990001 已于2026年3月1日过期"):
        workflow.perform(ew.officer_a1, lead.case, "register")
    assert "record_evidence" not in workflow.permitted_actions(ew.officer_a1, investigating.case)
    assert "record_evidence" in workflow.permitted_actions(ew.officer_a2, investigating.case)


# ---- the API ---------------------------------------------------------------------------------


def form(ew, **changes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "photo", "title": "现场照片", "taken_at": timezone.now().isoformat(), "place": "甲镇某村",
            "officer_ids": [ew.officer_a1.pk, ew.officer_a2.pk], "file": SimpleUploadedFile("现场.png", png("blue"), "image/png")} | changes  # fmt: skip


def without_file(data):
    return {key: value for key, value in data.items() if key != "file"}


def test_the_api_adds_evidence_and_lists_the_cases_evidence_with_its_hash(ew, case, client):
    from zhenjie.testing import Api

    api = Api(client).as_("officer_a1")
    created = api.post_form(f"/api/enforcement/{case.case_id}/evidence", form(ew))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["sha256"] == hashlib.sha256(png("blue")).hexdigest() and len(body["officers"]) == 2
    client.force_login(ew.officer_a2)
    served = client.get(body["file_url"])
    assert hashlib.sha256(b"".join(served.streaming_content) if served.streaming else served.content).hexdigest() == body["sha256"]

    record = '{"interviewee": "李建国", "capacity": "当事人", "questions": [{"q": "何时搭建？", "a": "上月。"}]}'
    interview = api.post_form(f"/api/enforcement/{case.case_id}/evidence", without_file(form(ew, kind="interview_record", record=record)))
    assert interview.status_code == 201 and interview.json()["record"]["questions"] == [{"q": "何时搭建？", "a": "上月。"}]

    listed = api.get(f"/api/enforcement/{case.case_id}/evidence").json()
    assert [e["title"] for e in listed["items"]] == ["现场照片", "现场照片"] and listed["count"] == 2


def test_township_bs_officer_neither_adds_to_nor_sees_as_evidence_over_the_api(ew, case, client):
    from zhenjie.testing import Api

    photo(ew, case)
    api = Api(client).as_("officer_b1")
    assert api.get(f"/api/enforcement/{case.case_id}/evidence").status_code == 404
    refused = api.post_form(f"/api/enforcement/{case.case_id}/evidence", form(ew, officer_ids=[ew.officer_b1.pk, ew.officer_b2.pk]))
    assert refused.status_code == 404 and refused.json()["message"] == "执法案件不存在或不在您的辖区内"
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"file": ""}, 400, "请上传证据文件(图片、PDF、Word、Excel或MP4视频)"),
        ({"taken_at": (timezone.now() + timedelta(days=1)).isoformat()}, 400, "取证时间不能晚于现在"),
        ({"officer_ids": [999999, 999998]}, 400, "没有ID为999999的在岗执法人员"),
        ({"officer_ids": ["张三"]}, 400, "输入有误"),
        ({"title": "长" * 201}, 400, "输入有误"),
        ({"kind": "interview_record", "file": "", "record": "{not json"}, 400, "笔录内容须为 JSON 对象"),
    ],
)
def test_bad_input_over_the_api_gets_a_chinese_400_and_writes_nothing(ew, case, client, changes, status, message):
    from zhenjie.testing import Api

    data = form(ew, **changes)
    data = without_file(data) if data["file"] == "" else data
    response = Api(client).as_("officer_a1").post_form(f"/api/enforcement/{case.case_id}/evidence", data)
    assert response.status_code == status and message in response.json()["message"]
    assert nothing_written(case)


def test_a_file_over_the_evidence_limit_is_refused_before_it_is_read(ew, case, client, settings):
    from zhenjie.testing import Api

    settings.ATTACHMENT_MAX_BYTES = {"evidence": 50}
    response = Api(client).as_("officer_a1").post_form(f"/api/enforcement/{case.case_id}/evidence", form(ew))
    assert response.status_code == 400 and response.json()["fields"] == {"file": response.json()["message"]}
    assert response.json()["message"].startswith("文件过大") and nothing_written(case)
