"""Joint decisions (联合办理, window/joint.py): the co-deciding unit gives its opinion, the case
waits, the lead decides last; a refusal makes the result a refusal unless the lead says why not;
the 决定书 prints every unit's opinion."""

import pytest

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.assignments import Assign, create
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment, Case, Document
from zhenjie.testing import make_user
from zhenjie.window import joint
from zhenjie.window.actions.decision import approve_application, refuse_application
from zhenjie.window.actions.joint import give_opinion
from zhenjie.window.decision_papers import APPROVAL, REFUSAL
from zhenjie.window.models import Application, DecisionRoute, Opinion, RouteSource
from zhenjie.window.routing import all_decided, pending_deciders
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

from .test_decision import pdf_text

pytestmark = pytest.mark.django_db


def make_joint(ww) -> Application:
    """An application under review routed to township A's centre (the lead) and the county's
    public security bureau (co-deciding), each with its open `decide` work, as acceptance routes a
    joint item (routing.route / record)."""
    application = make_application(ww, state=State.REVIEWING)
    world = ww.world
    DecisionRoute.objects.create(application=application, unit=ww.centre_a, source=RouteSource.LEVEL, basis="由甲镇便民服务中心后台审批",
                                 lead=True, position=0)  # fmt: skip
    DecisionRoute.objects.create(application=application, unit=world.police, power_code="GA-001", source=RouteSource.DEPARTMENT,
                                 basis="县级部门权责清单", position=1)  # fmt: skip
    create(application.case, Assign(world.police, "decide"))
    return fresh(application)


def fresh(application: Application) -> Application:
    return Application.objects.select_related("case", "service_item").get(pk=application.pk)


@pytest.fixture
def ww():
    return make_window_world()


def test_the_case_waits_for_the_co_decider_and_the_lead_decides_last(ww):
    application = make_joint(ww)
    police = ww.world.liaison  # a member of the public security bureau
    # the lead cannot decide before the other unit's opinion
    with pytest.raises(Conflict, match="尚待测试县公安局提出意见"):
        approve_application(ww.backoffice_a, application, opinion="同意")
    opinion = give_opinion(police, application, decision="approved", reason="无治安隐患")
    assert opinion.unit == ww.world.police and not opinion.lead and opinion.legal_basis  # the guide's basis: no power list here
    application = fresh(application)
    assert application.case.state == State.REVIEWING and application.decision == ""
    assert pending_deciders(application) == [ww.centre_a] and not all_decided(application)
    # a co-decider does not decide for all
    with pytest.raises(Conflict, match="不能重复提出"):
        give_opinion(police, application, decision="approved")
    approve_application(ww.backoffice_a, application, opinion="材料齐全，各单位同意")
    application = fresh(application)
    assert application.case.state == State.DECIDED and application.decision == "approved" and all_decided(application)
    assert [(o.unit, o.lead) for o in Opinion.objects.filter(application=application)] == [(ww.centre_a, True), (ww.world.police, False)]
    text = pdf_text(Document.objects.get(case=application.case, kind=APPROVAL))
    assert "联合办理" in text and "测试县公安局：准予：无治安隐患" in text and "甲镇便民服务中心：准予：材料齐全，各单位同意" in text


def test_only_routed_units_give_opinions_and_only_the_lead_decides(ww):
    application = make_joint(ww)
    other_back_office = make_user("backoffice_office_a", ww.world.office_a, [R.BACK_OFFICE_HANDLER], ww.world.a)
    with pytest.raises(Forbidden, match="参与联合办理的单位"):
        give_opinion(other_back_office, application, decision="approved")
    with pytest.raises(Forbidden, match="牵头单位"):
        give_opinion(ww.backoffice_a, application, decision="approved")  # the lead decides, it gives no opinion
    with pytest.raises(Forbidden, match="牵头单位甲镇便民服务中心作出决定"):
        approve_application(ww.world.liaison, application)
    with pytest.raises(NotFound):
        give_opinion(ww.backoffice_b, application, decision="approved")
    assert not Opinion.objects.exists() and fresh(application).case.version == application.case.version


def test_an_opinion_not_for_a_joint_item_or_out_of_turn_is_refused(ww):
    single = make_application(ww, state=State.REVIEWING)
    with pytest.raises(Forbidden, match="不是联合办理事项"):
        give_opinion(ww.backoffice_a, single, decision="approved")
    application = make_joint(ww)
    give_opinion(ww.world.liaison, application, decision="approved")
    refuse_application(ww.backoffice_a, fresh(application), "不符合条件")
    with pytest.raises(Conflict):
        give_opinion(ww.world.liaison, fresh(application), decision="refused", reason="迟到的意见")


@pytest.mark.parametrize("values", [{"decision": "maybe"}, {"decision": ""}, {"decision": "refused", "reason": " "},
                                    {"decision": "approved", "reason": "理" * 2001}, {"decision": 3}])
def test_bad_opinions_are_refused_and_write_nothing(ww, values):
    application = make_joint(ww)
    with pytest.raises(Rejected):
        give_opinion(ww.world.liaison, application, **values)
    assert not Opinion.objects.exists()
    assert Assignment.objects.filter(case=application.case, todo="decide", state="open").count() == 2


def test_a_co_deciders_refusal_makes_the_result_a_refusal_unless_the_lead_says_why_not(ww):
    application = make_joint(ww)
    give_opinion(ww.world.liaison, application, decision="refused", reason="选址位于禁止区域")
    with pytest.raises(Rejected, match="测试县公安局提出不同意意见") as refused:
        approve_application(ww.backoffice_a, fresh(application), opinion="同意")
    assert refused.value.field == "overruling" and fresh(application).case.state == State.REVIEWING
    assert not Document.objects.filter(kind=APPROVAL).exists()
    with pytest.raises(Rejected, match="没有需要不采纳"):  # nothing to overrule on a single decider's item
        approve_application(ww.backoffice_a, make_application(ww, state=State.REVIEWING), overruling="无")
    approve_application(ww.backoffice_a, fresh(application), opinion="同意", overruling="申请人已调整选址，公安局所指区域不再涉及")
    application = fresh(application)
    assert application.case.state == State.DECIDED and application.decision == "approved"
    text = pdf_text(Document.objects.get(case=application.case, kind=APPROVAL))
    assert "测试县公安局：不予：选址位于禁止区域" in text and "申请人已调整选址" in text


def test_the_lead_refusing_after_the_opinions_prints_them_on_the_refusal(ww):
    application = make_joint(ww)
    give_opinion(ww.world.liaison, application, decision="refused", reason="选址位于禁止区域")
    refuse_application(ww.backoffice_a, fresh(application), "公安局不同意")
    text = pdf_text(Document.objects.get(case_id=application.case_id, kind=REFUSAL))
    assert "选址位于禁止区域" in text and "公安局不同意" in text
    assert Case.objects.get(pk=application.case_id).state == State.DECIDED


def test_a_single_decider_prints_its_unit(ww):
    application = make_application(ww, state=State.REVIEWING)
    assert joint.opinions_text(application) == ww.centre_a.name


def test_the_co_decider_and_the_lead_on_the_page(ww):
    from django.test import Client
    from django.urls import reverse

    application = make_joint(ww)
    police, lead = Client(), Client()
    police.force_login(ww.world.liaison)
    lead.force_login(ww.backoffice_a)
    sheet = reverse("window:decision", args=[application.case_id])
    page = police.get(sheet).content.decode()
    assert 'data-testid="opinion-form"' in page and 'data-testid="decide-form"' not in page and "尚未提出意见" in page
    assert 'data-testid="opinion-form"' not in lead.get(sheet).content.decode()
    url = reverse("window:opinion", args=[application.case_id])
    bad = police.post(url, {"decision": "refused", "reason": ""})
    assert bad.status_code == 400 and "须说明理由" in bad.content.decode()
    assert police.post(url, {"decision": "refused", "reason": "选址位于禁止区域"}).status_code == 302
    refused = lead.post(reverse("window:decide", args=[application.case_id]), {"decision": "approve", "text": "同意"})
    assert refused.status_code == 400 and "不采纳其意见的理由" in refused.content.decode()
    done = lead.post(reverse("window:decide", args=[application.case_id]), {"decision": "approve", "text": "同意", "overruling": "已调整选址"})
    assert done.status_code == 302
    page = lead.get(sheet).content.decode()
    assert "选址位于禁止区域" in page and "已调整选址" in page
    other = Client()
    other.force_login(ww.backoffice_b)
    assert other.post(url, {"decision": "approved"}).status_code == 404


def test_the_opinion_over_the_api_and_township_b_gets_404(client):
    from .test_decision_api import headers

    ww = make_window_world()
    application = make_joint(ww)
    base = f"/api/window/applications/{application.case_id}"
    police, lead, other = headers(client, ww.world.liaison), headers(client, ww.backoffice_a), headers(client, ww.backoffice_b)
    assert client.post(base + "/opinion", {"decision": "approved"}, content_type="application/json", **other).status_code == 404
    assert client.post(base + "/opinion", {"decision": "maybe"}, content_type="application/json", **police).status_code == 400
    assert client.post(base + "/opinion", {"decision": "approved"}, content_type="application/json", **lead).status_code == 403
    assert client.post(base + "/approve", {}, content_type="application/json", **lead).status_code == 409
    given = client.post(base + "/opinion", {"decision": "approved", "reason": "同意"}, content_type="application/json", **police)
    assert given.status_code == 200 and given.json()["state"] == State.REVIEWING
    assert [o["unit"] for o in given.json()["opinions"]] == ["测试县公安局"]
    assert client.post(base + "/opinion", {"decision": "approved"}, content_type="application/json", **police).status_code == 409
    decided = client.post(base + "/approve", {"opinion": "同意"}, content_type="application/json", **lead)
    assert decided.status_code == 200 and decided.json()["state"] == State.DECIDED
    assert [(o["unit"], o["lead"]) for o in decided.json()["opinions"]] == [("甲镇便民服务中心", True), ("测试县公安局", False)]


def test_someone_in_both_units_cannot_close_the_leads_work_with_an_opinion(ww):
    from zhenjie.accounts import actions as accounts

    application = make_joint(ww)
    both = make_user("both_units", ww.centre_a, [R.BACK_OFFICE_HANDLER], ww.world.a)
    accounts.grant_post(None, user=both, unit=ww.world.police, title="岗位", roles=[R.DEPARTMENT_LIAISON], jurisdiction=None)
    with pytest.raises(Forbidden, match="同时承担牵头单位"):
        give_opinion(both, application, decision="approved")
    assert Assignment.objects.filter(case=application.case, todo="decide", state="open").count() == 2
