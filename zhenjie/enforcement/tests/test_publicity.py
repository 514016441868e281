"""执法公示 (行政处罚法 Arts. 39, 48): decisions of social impact published with the person's name
masked, late publications flagged and counted, withdrawals within 3 working days with the reason
(journaled, gone from the public page), the Art. 39 page, and nothing of this for township B."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.enforcement.actions.execution import serve_decision
from zhenjie.enforcement.models import Publication
from zhenjie.enforcement.publicity import figures_for, mark_social_impact, publish_decision, withdraw_publication
from zhenjie.enforcement.testing import make_enforcement_case
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.errors import Conflict, NotFound, Rejected
from zhenjie.kernel.models import JournalEntry, Party
from zhenjie.kernel.parties import register_party
from zhenjie.testing import citizen_id, credit_code

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def served(ew, days_ago: int = 0, party=None):
    enforcement = make_enforcement_case(
        ew, state=State.DECIDED, fine=Decimal("2000"), decided_on=today() - timedelta(days=days_ago), party=party
    )
    serve_decision(
        ew.officer_a1, enforcement, method="in_person", served_on=today() - timedelta(days=days_ago), received_by="张建三"
    )
    enforcement.refresh_from_db()
    return enforcement


def person(ew, name="张建三", sequence=5):
    return register_party(ew.officer_a1, ew.world.county, Party.Kind.PERSON, name, id_number=citizen_id(sequence))


def test_the_published_decision_masks_the_persons_name_and_never_prints_the_id_number(ew, client):
    enforcement = served(ew, party=person(ew))
    publication = publish_decision(ew.officer_a1, enforcement)

    assert not publication.late
    assert "当事人：张*三" in publication.text and "张建三" not in publication.text
    assert citizen_id(5) not in publication.text and citizen_id(5)[-4:] not in publication.text
    page = client.get(reverse("enforcement_public:decision", args=[publication.pk])).content.decode()
    assert "张*三" in page and "张建三" not in page and "2,000.00" in page


def test_an_organisation_keeps_its_name(ew):
    company = register_party(
        ew.officer_a1, ew.world.county, Party.Kind.ORGANISATION, "甲镇某建材有限公司", id_number=credit_code(3)
    )
    publication = publish_decision(ew.officer_a1, served(ew, party=company))
    assert "当事人：甲镇某建材有限公司" in publication.text and credit_code(3) not in publication.text


def test_a_withdrawn_decision_leaves_the_public_page_and_the_withdrawal_is_journaled(ew, client):
    enforcement = served(ew, party=person(ew))
    publication = publish_decision(ew.officer_a1, enforcement)
    listed = client.get(reverse("enforcement_public:list")).content.decode()
    assert publication.title in listed

    withdraw_publication(ew.officer_a1, enforcement, changed_on=today(), reason="复议决定撤销原处罚决定")

    listed = client.get(reverse("enforcement_public:list")).content.decode()
    assert publication.title not in listed and "暂无公示的行政处罚决定" in listed
    assert client.get(reverse("enforcement_public:decision", args=[publication.pk])).status_code == 404
    entry = JournalEntry.objects.get(case=enforcement.case, verb="enforcement.publicity.withdraw")
    assert entry.note == "复议决定撤销原处罚决定" and entry.data["late"] is False
    with pytest.raises(Conflict):
        withdraw_publication(ew.officer_a1, enforcement, changed_on=today(), reason="再次撤回")


def test_a_withdrawal_after_three_working_days_is_recorded_late_and_counted(ew):
    enforcement = served(ew)
    publish_decision(ew.officer_a1, enforcement)
    publication = withdraw_publication(ew.officer_a1, enforcement, changed_on=today() - timedelta(days=10), reason="决定被变更")
    assert publication.withdrawal_late
    assert figures_for(ew.officer_a1).withdrawn_late == 1


def test_a_withdrawal_needs_its_reason(ew):
    enforcement = served(ew)
    publish_decision(ew.officer_a1, enforcement)
    with pytest.raises(Rejected) as refused:
        withdraw_publication(ew.officer_a1, enforcement, changed_on=today(), reason="  ")
    assert refused.value.field == "reason"
    assert Publication.objects.get().withdrawn_at is None


def test_publishing_after_the_countys_working_days_is_flagged_late_and_counted(ew):
    enforcement = served(ew, days_ago=20)
    publication = Publication.objects.get(enforcement=enforcement)
    assert publication.due_on < today()
    assert figures_for(ew.officer_a1).overdue_unpublished == 1

    publication = publish_decision(ew.officer_a1, enforcement)

    assert publication.late
    figures = figures_for(ew.officer_a1)
    assert (figures.published, figures.published_late, figures.overdue_unpublished) == (1, 1, 0)
    assert "逾期公示" in JournalEntry.objects.get(case=enforcement.case, verb="enforcement.publicity.publish").summary


def test_a_decision_marked_without_social_impact_is_not_published(ew):
    enforcement = served(ew)
    with pytest.raises(Rejected):
        mark_social_impact(ew.officer_a1, enforcement, social_impact=False, reason="")
    mark_social_impact(ew.officer_a1, enforcement, social_impact=False, reason="情节轻微，无社会影响")
    with pytest.raises(Conflict) as refused:
        publish_decision(ew.officer_a1, enforcement)
    assert refused.value.code == "enforcement.publicity.no_impact"


def test_a_decision_not_yet_served_cannot_be_published(ew):
    enforcement = make_enforcement_case(ew, state=State.DECIDED, fine=Decimal("100"))
    with pytest.raises(Conflict):
        publish_decision(ew.officer_a1, enforcement)


def test_township_bs_officer_can_neither_publish_nor_withdraw_as_decision(ew):
    enforcement = served(ew)
    with pytest.raises(NotFound):
        publish_decision(ew.officer_b1, enforcement)
    publish_decision(ew.officer_a1, enforcement)
    with pytest.raises(NotFound):
        withdraw_publication(ew.officer_b1, enforcement, changed_on=today(), reason="无")
    assert figures_for(ew.officer_b1).published == 0


def test_the_public_list_runs_the_same_queries_for_3_and_13_decisions(ew, client, django_assert_max_num_queries):
    def publish(count):
        for _ in range(count):
            enforcement = make_enforcement_case(ew, state=State.DECIDED, fine=Decimal("100"))
            Publication.objects.create(enforcement=enforcement, township=ew.world.a, title=f"{enforcement.case.number} 行政处罚决定",
                                       text="当事人：李*国", published_at=timezone.now())  # fmt: skip

    publish(3)
    with django_assert_max_num_queries(6) as few:
        assert client.get(reverse("enforcement_public:list")).status_code == 200
    publish(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("enforcement_public:list"), {"township": ew.world.a.code})
    assert page.status_code == 200 and page.content.decode().count("行政处罚决定</div>") == 13


def test_the_article_39_page_names_the_body_its_officers_powers_procedures_and_remedies(ew, client):
    page = client.get(reverse("enforcement_public:body", args=[ew.world.a.code])).content.decode()
    assert "甲镇人民政府" in page and "37990001" in page and "37990003" not in page  # B's officers are B's
    assert "CF001" in page and "救济渠道" in page and "六个月内" in page
    assert client.get(reverse("enforcement_public:body", args=["999999999999"])).status_code == 404
