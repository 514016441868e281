"""Documents (文书): numbered PDFs from county-editable templates, read back as a user would —
by extracting the PDF's text with a real PDF reader."""

import hashlib
import io

import pytest
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import attachments, documents, supervision
from zhenjie.kernel.documents import kinds, pdf
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Case, Document, DocumentTemplate, JournalEntry, NumberSeries
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db

NOTICE = "supervision_notice"
YEAR = timezone.localdate().year


def pdf_bytes(document: Document) -> bytes:
    with attachments.open_blob(document.attachment.blob) as stored:
        return stored.read()


def pdf_text(content: bytes) -> str:
    """The text of every page, with the line breaks and spaces of the layout taken out."""
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def notice(world, case, requirement="请于今日下班前反馈办理进展", *, leader=None, level="红牌") -> Document:
    return documents.issue_document(leader or world.leader_a, case, NOTICE, extra={"level": level, "requirement": requirement})


@pytest.fixture
def receipt_kind():
    """A second kind with its own series, issued by whoever the case is sent to."""
    kind = documents.register_kind(
        documents.DocumentKind(
            code="test_receipt", label="测试回执", number_series="test_receipt", number_prefix=lambda case, unit: "测回",
            default_title="回执", default_body="{case_title}已收到。\n经办人：{issuer}", by_assignee=True,
        )
    )
    yield kind
    kinds._REGISTRY.pop(kind.code)


# ---- issuing ---------------------------------------------------------------------------------


def test_a_supervision_notice_is_a_numbered_pdf_with_the_title_number_and_typed_name(world):
    task = make_task(world, title="排查河道")

    document = notice(world, task.case, "请张龘同志于今日下班前反馈")

    content = pdf_bytes(document)
    text = pdf_text(content)
    assert document.number == f"甲镇督〔{YEAR}〕第1号"
    assert content.startswith(b"%PDF-")
    for expected in ("甲镇人民政府", "督办单", document.number, "张龘", "排查河道", task.case.number, "红牌"):
        assert expected in text, expected
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in text
    assert "第1页共1页" in text


def test_the_pdf_is_stored_once_under_its_sha256_attached_to_the_case_and_journaled(world):
    task = make_task(world)

    document = notice(world, task.case)

    content = pdf_bytes(document)
    blob = document.attachment.blob
    assert blob.sha256 == hashlib.sha256(content).hexdigest() and blob.size == len(content)
    assert blob.content_type == "application/pdf"
    assert document.attachment.case_id == task.case_id and document.attachment.purpose == "document"
    assert document.attachment.name == f"督办单{document.number}.pdf"
    assert document.issued_by == world.leader_a and document.unit == world.gov_a
    entry = JournalEntry.objects.filter(case=task.case, verb="document.issue").get()
    assert entry.data == {"document": document.pk, "kind": NOTICE, "number": document.number, "sha256": blob.sha256}
    assert entry.summary == f"出具督办单 {document.number}"


def test_numbers_are_gapless_per_unit_series_and_year(world, receipt_kind):
    first, second = make_task(world), make_task(world, title="清理沟渠")

    numbers = [notice(world, first.case).number, notice(world, second.case).number, notice(world, first.case).number]
    other_township = make_task(world, issuer=world.leader_b, assignee=world.gov_b)
    other = notice(world, other_township.case, leader=world.leader_b)
    receipt = documents.issue_document(world.clerk_a, first.case, receipt_kind.code)

    assert numbers == [f"甲镇督〔{YEAR}〕第{n}号" for n in (1, 2, 3)]
    assert other.number == f"乙镇督〔{YEAR}〕第1号" and other.unit == world.gov_b
    assert receipt.number == f"测回〔{YEAR}〕第1号" and receipt.unit == world.office_a


def test_regenerating_takes_a_new_number_and_keeps_the_first(world):
    task = make_task(world)
    first = notice(world, task.case)
    again = notice(world, task.case)
    assert (first.seq, again.seq) == (1, 2)
    assert first.attachment_id != again.attachment_id
    assert list(Document.objects.filter(case=task.case).order_by("seq").values_list("number", flat=True)) == [first.number, again.number]


def test_a_rolled_back_issue_leaves_no_document_and_no_gap(world):
    task = make_task(world)
    notice(world, task.case)

    with pytest.raises(RuntimeError), transaction.atomic():
        notice(world, task.case)
        raise RuntimeError("the surrounding action failed")

    assert Document.objects.filter(case=task.case).count() == 1
    assert notice(world, task.case).seq == 2
    assert NumberSeries.objects.get(unit=world.gov_a, series=NOTICE, year=YEAR).last == 2


def test_only_a_leader_of_the_place_may_issue_and_another_township_sees_nothing(world):
    task = make_task(world)
    with pytest.raises(NotFound):
        notice(world, task.case, leader=world.leader_b)
    with pytest.raises(Forbidden) as refused:
        notice(world, task.case, leader=world.clerk_a)
    assert refused.value.message == "只有该辖区的领导可以督办"
    assert not Document.objects.exists() and not NumberSeries.objects.filter(series=NOTICE).exists()


def test_a_kind_with_its_own_rule_is_issued_by_whom_the_rule_names_in_the_unit_it_names(world):
    task = make_task(world)
    # The owning app's rule (the window's transfer slip uses points.may_record_transfer): here the
    # leader of township A issues in the office's name; nobody else does.
    kind = documents.register_kind(documents.DocumentKind(
        code="test_slip", label="测试交接单", number_series="test_slip", number_prefix=lambda case, unit: "测交",
        default_title="交接单", default_body="{case_title}", forbidden_message="只有甲镇领导可以出具测试交接单",
        issuer=lambda actor, case: world.office_a.pk if actor.pk == world.leader_a.pk else None,
    ))  # fmt: skip
    try:
        assert [kind.may_issue(user, task.case) for user in (world.leader_a, world.clerk_a, world.leader_b)] == [True, False, False]
        slip = documents.issue_document(world.leader_a, task.case, "test_slip")
        assert slip.number == f"测交〔{YEAR}〕第1号" and NumberSeries.objects.get(series="test_slip").unit == world.office_a
        with pytest.raises(Forbidden) as refused:
            documents.issue_document(world.clerk_a, task.case, "test_slip")
        assert refused.value.message == "只有甲镇领导可以出具测试交接单"
        with pytest.raises(NotFound):
            documents.issue_document(world.leader_b, task.case, "test_slip")
        assert Document.objects.filter(kind="test_slip").count() == 1
    finally:
        kinds._REGISTRY.pop("test_slip")


def test_a_kind_states_who_may_issue_it_once():
    with pytest.raises(ValueError, match="state it twice"):
        documents.register_kind(documents.DocumentKind(
            code="test_twice", label="测试", number_series="test_twice", number_prefix=lambda case, unit: "测",
            default_title="测试", default_body="{case_title}", roles=frozenset({RoleCode.TOWNSHIP_LEADER}),
            issuer=lambda actor, case: None,
        ))  # fmt: skip
    assert "test_twice" not in kinds._REGISTRY


def test_what_the_issuer_must_supply_is_checked_field_by_field(world):
    task = make_task(world)
    with pytest.raises(Rejected) as empty:
        notice(world, task.case, "   ")
    assert (empty.value.code, empty.value.field, empty.value.message) == ("document.field_required", "requirement", "请填写督办要求")
    with pytest.raises(Rejected) as long:
        notice(world, task.case, "字" * 501)
    assert long.value.message == "督办要求不能超过500字"


# ---- what users typed is text -----------------------------------------------------------------


def test_a_character_the_font_lacks_is_refused_with_a_clear_message_and_nothing_is_numbered(world):
    task = make_task(world)

    with pytest.raises(Rejected) as refused:
        notice(world, task.case, "请王𠀀同志反馈")

    assert refused.value.code == "document.unsupported_characters" and refused.value.field == "requirement"
    assert "「𠀀」(U+20000)" in refused.value.message and "通用规范汉字" in refused.value.message
    assert not NumberSeries.objects.filter(series=NOTICE).exists() and not Document.objects.exists()


def test_a_leaders_notice_with_such_a_character_is_refused_on_the_notice_field(world):
    task = make_task(world)
    with pytest.raises(Rejected) as refused:
        supervision.issue_notice(world.leader_a, task.case, "red", "请王𠀀同志反馈")
    assert refused.value.field == "text"
    assert Case.objects.get(pk=task.case_id).alert == ""


def test_a_character_the_font_lacks_in_the_records_prints_as_its_code_point(world):
    task = make_task(world, title="王𠀀反映河道堵塞")
    text = pdf_text(pdf_bytes(notice(world, task.case)))
    assert "王[U+20000]反映河道堵塞" in text


def test_rare_characters_the_font_has_print_as_themselves(world):
    # 龘 (GBK), 䶮 (Extension A), 𬌗 (Extension E, in 通用规范汉字表): all in the shipped font.
    task = make_task(world, title="龘䶮𬌗")
    assert "龘䶮𬌗" in pdf_text(pdf_bytes(notice(world, task.case, "请龘先生反馈")))


def test_hostile_input_stays_literal_text(world):
    task = make_task(world, title="<b>{case.__class__}</b>")
    typed = "<script>alert(1)</script>{case.__class__}{unknown}{{number}}**粗体**{nb}`code`"

    text = pdf_text(pdf_bytes(notice(world, task.case, typed)))

    assert typed in text
    assert "<b>{case.__class__}</b>" in text


def test_invisible_control_characters_are_dropped(world):
    task = make_task(world)
    text = pdf_text(pdf_bytes(notice(world, task.case, "甲\u202e乙\u200b丙\x07丁")))
    assert "甲乙丙丁" in text


# ---- templates ---------------------------------------------------------------------------------


def test_the_county_wording_is_used_journaled_and_kept_with_each_document(world):
    task = make_task(world, title="清理垃圾")
    row = documents.save_template(world.county_admin, NOTICE, "关于{case_title}的督办通知", "{handlers}：\n\u3000\u3000请办理。{requirement}")

    document = notice(world, task.case, "限今日")

    assert row.version == 1 and row.county == world.county
    text = pdf_text(pdf_bytes(document))
    assert "关于清理垃圾的督办通知" in text and "请办理。限今日" in text
    assert document.title == "关于清理垃圾的督办通知" and document.template_title == "关于{case_title}的督办通知"
    entry = JournalEntry.objects.get(verb="document_template.save")
    assert entry.case is None and entry.chain == "rules" and entry.subject == "document_template:990199:supervision_notice"
    assert entry.data["before"]["default"] is True and entry.data["after"]["title"] == "关于{case_title}的督办通知"

    documents.save_template(world.county_admin, NOTICE, "督办通知", "请办理。", base_version=1)
    document.refresh_from_db()
    assert document.template_title == "关于{case_title}的督办通知"  # what was issued stays as issued


def test_an_unknown_placeholder_is_refused_naming_it_and_the_allowed_ones(world):
    with pytest.raises(Rejected) as refused:
        documents.save_template(world.county_admin, NOTICE, "督办单", "{unknown}{case.__class__}{0[x]}{number}")
    error = refused.value
    assert error.code == "document.placeholder_unknown" and error.field == "body"
    assert error.message.startswith("模板中有未知的占位符：{unknown}、{case.__class__}、{0[x]}。可用的占位符：{number}（文号）")
    assert "{requirement}（督办要求）" in error.message
    assert not DocumentTemplate.objects.exists()


def test_an_unpaired_brace_is_refused_and_doubled_braces_print_one(world):
    with pytest.raises(Rejected) as refused:
        documents.save_template(world.county_admin, NOTICE, "督办单{", "正文")
    assert refused.value.code == "document.brace_unpaired" and refused.value.field == "title"

    documents.save_template(world.county_admin, NOTICE, "督办单", "{{number}}是{number}")
    document = notice(world, make_task(world).case)
    assert f"{{number}}是{document.number}" in pdf_text(pdf_bytes(document))


@pytest.mark.parametrize(
    ("title", "body", "code", "field"),
    [
        ("", "正文", "document.title_required", "title"),
        ("题" * 61, "正文", "document.title_too_long", "title"),
        ("督办单", " \n\u3000\n", "document.body_required", "body"),
        ("督办单", "字" * 5001, "document.body_too_long", "body"),
        ("督办单", "行\n" * 301, "document.body_too_long", "body"),
        ("督办单", "𠀀", "document.unsupported_characters", "body"),
    ],
)
def test_template_bounds(world, title, body, code, field):
    with pytest.raises(Rejected) as refused:
        documents.save_template(world.county_admin, NOTICE, title, body)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_only_a_county_administrator_edits_templates(world):
    for user in (world.leader_a, world.dispatcher_a, world.liaison):
        with pytest.raises(Forbidden) as refused:
            documents.save_template(user, NOTICE, "督办单", "请办理。")
        assert refused.value.message == "只有县级管理员可以修改文书模板"
    with pytest.raises(Forbidden):
        documents.reset_template(world.leader_a, NOTICE)
    with pytest.raises(Forbidden):
        documents.preview_template(world.leader_a, NOTICE, "督办单", "请办理。")


def test_two_administrators_editing_at_once_do_not_overwrite_each_other(world):
    documents.save_template(world.county_admin, NOTICE, "督办单", "第一版")
    with pytest.raises(Conflict):
        documents.save_template(world.county_admin, NOTICE, "督办单", "从默认改的", base_version=None)
    documents.save_template(world.county_admin, NOTICE, "督办单", "第二版", base_version=1)
    assert DocumentTemplate.objects.get().body == "第二版"


def test_resetting_goes_back_to_the_default_wording(world):
    documents.save_template(world.county_admin, NOTICE, "特别督办", "请办理。")
    documents.reset_template(world.county_admin, NOTICE)
    document = notice(world, make_task(world).case)
    assert document.template_title == supervision.SUPERVISION_NOTICE.default_title
    assert JournalEntry.objects.filter(verb="document_template.reset").count() == 1
    with pytest.raises(Conflict):
        documents.reset_template(world.county_admin, NOTICE)


def test_a_preview_shows_sample_values_and_takes_no_number(world):
    content = documents.preview_template(world.county_admin, NOTICE, "督办单", "{handlers}：请于{due}前办理。{requirement}")
    text = pdf_text(content)
    assert "样稿" in text and "××镇社会治理办公室：请于2026年1月8日17:00前办理。请于今日下班前反馈办理进展。" in text
    assert not NumberSeries.objects.exists() and not Document.objects.exists()


def test_a_kind_is_checked_when_it_is_declared():
    with pytest.raises(Rejected):
        documents.register_kind(
            documents.DocumentKind(code="broken_kind", label="坏", number_series="broken", number_prefix=lambda c, u: "坏",
                                   default_title="{nope}", default_body="正文")
        )
    with pytest.raises(ValueError):
        documents.register_kind(
            documents.DocumentKind(code="Bad-Code", label="坏", number_series="broken", number_prefix=lambda c, u: "坏",
                                   default_title="标题", default_body="正文")
        )
    assert "broken_kind" not in {kind.code for kind in documents.registered_kinds()}


# ---- layout --------------------------------------------------------------------------------------


class _Metrics(pdf._Metrics):
    """Widths from the real font, for line-breaking tests without a page."""

    def __init__(self):
        from fpdf import FPDF

        document = FPDF()
        document.add_font(pdf.FAMILY, fname=str(pdf.FONT_FILE))
        super().__init__(document)


def test_lines_break_between_chinese_characters_and_never_begin_with_a_closing_mark():
    metrics = _Metrics()
    width = metrics.width("字" * 10, 10)
    lines = pdf.wrap("一二三四五六七八九十，一二三四五六七八九十。（括号）", 10, width, width, metrics)
    assert all(metrics.width(line, 10) <= width + 1e-6 for line in lines)
    assert not any(line[0] in pdf.NO_START for line in lines)
    assert not any(line[-1] in pdf.NO_END for line in lines)
    assert "".join(lines) == "一二三四五六七八九十，一二三四五六七八九十。（括号）"


def test_latin_words_are_not_split_unless_longer_than_a_line():
    metrics = _Metrics()
    width = metrics.width("字" * 10, 10)
    lines = pdf.wrap("编号ABC-123 hello world " + "x" * 40, 10, width, width, metrics)
    assert "ABC-123" in "".join(lines) and any("hello" in line for line in lines)
    assert not any(line.endswith("hel") for line in lines)
    assert "".join(lines).replace(" ", "") == ("编号ABC-123helloworld" + "x" * 40)


def test_the_shipped_font_covers_every_gbk_hanzi():
    missing = []
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                char = bytes([high, low]).decode("gbk")
            except UnicodeDecodeError:
                continue
            if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
                missing.extend(pdf.unsupported_characters(char))
    assert missing == []


def test_the_shipped_everyday_cut_holds_its_characters_with_the_full_fonts_widths():
    from fontTools.ttLib import TTFont

    from zhenjie.kernel.documents import common_font

    full, cut = TTFont(pdf.FONT_FILE, lazy=True), TTFont(pdf.COMMON_FONT_FILE, lazy=True)
    # Rebuild with `manage.py build_common_font` when the character list or the font changes.
    held = set(cut.getBestCmap())
    assert common_font.wanted_code_points(pdf._codepoints()) <= held <= pdf._codepoints()
    full_map, cut_map = full.getBestCmap(), cut.getBestCmap()
    for ch in "〇一二三中华人民共和国，。（）〔〕ABCxyz0123456789①℃":
        assert full["hmtx"][full_map[ord(ch)]][0] == cut["hmtx"][cut_map[ord(ch)]][0], ch


def sheet(text: str) -> pdf.Sheet:
    return pdf.Sheet(organ="柳湾镇人民政府", number="柳政〔2026〕1号", title="通知", paragraphs=[pdf.Paragraph(text, 2)],
                     signature="柳湾镇人民政府", date_text="2026年12月6日", issued_at=timezone.now())


def test_a_sheet_of_everyday_characters_prints_from_the_cut_and_a_rare_one_from_the_full_font():
    assert pdf.font_for(sheet("张三于二〇二六年提交材料。")) == pdf.COMMON_FONT_FILE
    for rare in ("王堃", "张喆", "䶮"):  # GBK and Extension A: outside GB 2312
        chosen = pdf.font_for(sheet(f"申请人{rare}提交材料。"))
        assert chosen == pdf.FONT_FILE, rare
        assert f"申请人{rare}提交材料" in pdf_text(pdf.render(sheet(f"申请人{rare}提交材料。")))
    assert "张三于二〇二六年提交材料" in pdf_text(pdf.render(sheet("张三于二〇二六年提交材料。")))


def test_a_long_body_runs_onto_more_pages_numbered_x_of_y(world):
    documents.save_template(world.county_admin, NOTICE, "督办单", "\n".join(["\u3000\u3000" + "这是一段较长的督办说明文字。" * 8] * 12))
    text = pdf_text(pdf_bytes(notice(world, make_task(world).case)))
    pages = len(PdfReader(io.BytesIO(pdf_bytes(Document.objects.get())), strict=False).pages)
    assert pages >= 2 and f"第1页共{pages}页" in text and f"第{pages}页共{pages}页" in text


def test_supervision_issues_its_notice_through_the_documents_kernel(world):
    task = make_task(world)
    supervision.issue_notice(world.leader_a, task.case, "yellow", "请本周内办结")
    document = Document.objects.get(case=task.case)
    assert document.kind == NOTICE and "黄牌" in pdf_text(pdf_bytes(document))
    verbs = list(JournalEntry.objects.filter(case=task.case).order_by("seq").values_list("verb", flat=True))
    assert verbs[-2:] == ["document.issue", "supervise_notice"]
    assert RoleCode.COUNTY_ADMIN in supervision.NOTICE_ROLES
