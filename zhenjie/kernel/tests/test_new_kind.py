"""What a new kind costs: the test-only errand declares a detail model (casekind/models.py), a
workflow with its rules (casekind/workflow.py) and a kit declaration (casekind/kit.py: steps,
columns, a document kind) — and gets parties, a numbered PDF, a tracking code and public
timeline, a rating, pages, the step endpoint and the Excel export from the kernel, scoped to the
township like every kind. (Extension, calls and supervision on the errand: test_extensions.py,
calls/tests/test_any_parent.py, test_supervision.py.)"""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from zhenjie.kernel import attachments, documents, parties, rating, tracking
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound
from zhenjie.kernel.models import CaseParty, Party
from zhenjie.kernel.tests.casekind.kit import answer
from zhenjie.kernel.tests.casekind.workflow import make_errand
from zhenjie.kernel.workflow import perform
from zhenjie.testing import api, citizen_id  # noqa: F401  (api: a fixture)

pytestmark = pytest.mark.django_db


def done(world):
    errand = make_errand(world)
    perform(world.clerk_a, errand.case, "take", assign=[Assign(errand.unit, "answer")])
    answer(world.clerk_a, errand, "已清点沙袋300个")
    perform(world.leader_a, errand.case, "accept")
    errand.case.refresh_from_db()
    return errand


def test_parties_are_named_on_the_errand_and_seen_only_in_its_township(world):
    errand = make_errand(world)
    person = parties.register_party(world.dispatcher_a, world.county, Party.Kind.PERSON, "张三", id_number=citizen_id(11))
    agent = parties.register_party(world.dispatcher_a, world.county, Party.Kind.PERSON, "李四")
    applicant = parties.link_party(world.dispatcher_a, errand.case, person, CaseParty.Role.APPLICANT)
    parties.link_party(world.dispatcher_a, errand.case, agent, CaseParty.Role.AGENT, acting_for=applicant)
    assert sorted(link.party.name for link in parties.parties_for_case(world.leader_a, errand.case)) == ["张三", "李四"]
    with pytest.raises(NotFound):
        list(parties.parties_for_case(world.leader_b, errand.case))


def test_a_numbered_pdf_from_the_kinds_document(world):
    errand = done(world)
    document = documents.issue_document(world.leader_a, errand.case, "errand_receipt")
    with attachments.open_blob(document.attachment.blob) as stored:
        text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(stored.read())).pages)
    assert document.number.startswith("甲镇回") and document.number in text and "已清点沙袋300个" in text
    with pytest.raises(Forbidden):
        documents.issue_document(world.clerk_a, errand.case, "errand_receipt")  # not a lead


def test_tracking_code_public_timeline_and_one_rating(world):
    errand = make_errand(world)
    code = tracking.issue_code(errand.case)
    assert tracking.find_by_code(errand.case.number, code, kinds=["errand"]) == errand.case
    with pytest.raises(NotFound):
        tracking.find_by_code(errand.case.number, code, kinds=["task"])
    with pytest.raises(Conflict):
        rating.rate(world.leader_a, errand.case, 5)  # not done yet: the kind's rule
    errand = done(world)
    with pytest.raises(Forbidden):
        rating.rate(world.clerk_a, errand.case, 5)
    rating.rate(world.leader_a, errand.case, 4, "按时办结")
    with pytest.raises(Conflict):
        rating.rate(world.dispatcher_a, errand.case, 1)
    steps = tracking.public_timeline(errand.case)
    assert [step.label for step in steps] == ["已受理", "办理中", "待审核", "已办结", "您已评价"]
    assert "满意" in steps[-1].note


def test_pages_the_step_endpoint_and_the_export_come_from_the_declaration(client, api, world):
    errand = make_errand(world)
    client.force_login(world.clerk_a)
    taken = client.post(f"/errands/{errand.case_id}/take/")
    assert taken.status_code == 302 and taken["Location"] == f"/errands/{errand.case_id}/"
    errand.case.refresh_from_db()
    assert errand.case.state == "working"
    refused = client.post(f"/errands/{errand.case_id}/accept/")  # not the clerk's step
    assert refused.status_code == 200 and "办理中" in refused.content.decode()
    client.force_login(world.leader_b)
    assert client.post(f"/errands/{errand.case_id}/take/").status_code == 404  # another township's

    path = f"/api/errands/{errand.case_id}/answer"
    too_long = api.as_("clerk_a").post(path, {"answer": "长" * 501})
    assert too_long.status_code == 400 and "500" in too_long.json()["message"]
    assert api.as_("dispatcher_b").post(path, {"answer": "已清点"}).status_code == 404
    answered = api.as_("clerk_a").post(path, {"answer": "=HYPERLINK(\"http://x\")"})
    assert answered.status_code == 200 and answered.json()["state"] == "answered"

    exported = api.as_("leader_a").get("/api/errands/export")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("编号", "承办单位", "办理结果") and rows[1][0] == errand.case.number
    assert rows[1][2] == "=HYPERLINK(\"http://x\")" and sheet.cell(2, 3).data_type == "s"  # text, never a formula
    other = load_workbook(io.BytesIO(api.as_("leader_b").get("/api/errands/export").content)).active
    assert other.max_row == 1  # township B sees none of A's errands
