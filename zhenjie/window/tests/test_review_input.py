"""Bad input the round-one tests did not send (issue 15 round 2 review): digits Python calls
digits but int() refuses ("²"), ids past 64 bits, NUL bytes — a Chinese message, nothing
written, never a 500."""

import pytest
from django.urls import reverse

from zhenjie.window.models import AgentPoint, DutySlot, PaperTransfer
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww(db):
    return make_window_world()


def test_the_roster_editor_answers_odd_digits_with_a_message(client, ww):
    point = make_point(ww)
    client.force_login(ww.world.leader_a)
    url = reverse("window:agent_point_roster", args=[point.pk])
    line = {"slot-0-weekday": "0", "slot-0-starts": "08:30", "slot-0-ends": "12:00", "slot-0-agent_id": str(ww.agent_a.pk)}
    for posted in (
        {"rows": "²", "version": "7", **line},  # stale: nothing written, whatever the rows
        {"rows": "1", "version": "²", **line},
        {"rows": "1", "version": "1", **line, "slot-0-weekday": "²"},
        {"rows": "1", "version": "1", **line, "slot-0-agent_id": "²"},
        {"rows": "1", "version": "99999999999999999999999", **line},
        {"rows": "1", "version": "1", **line, "slot-0-agent_id": "99999999999999999999999"},
    ):
        response = client.post(url, posted)
        assert response.status_code in (200, 302), (posted, response.status_code)
    point.refresh_from_db()
    assert point.roster_version == 1 and DutySlot.objects.filter(point=point).count() == 5


def test_the_papers_ledger_refuses_an_application_id_past_64_bits(client, ww):
    point = make_point(ww)
    make_application(ww, at_agent_point=True)
    client.force_login(ww.world.leader_a)
    url = reverse("window:agent_point_handover", args=[point.pk])
    for application in ("99999999999999999999999", "-1", "x", "1\x00"):
        response = client.post(url, {"application": application, "direction": "to_centre", "received_by": "王五"})
        assert response.status_code in (200, 400), (application, response.status_code)  # NUL: the middleware's 400
    assert not PaperTransfer.objects.exists() and AgentPoint.objects.count() == 1


def test_a_form_filed_with_its_key_keeps_no_plain_hash_of_the_applicants_id_number(ww):
    """kernel.submits keeps a fingerprint of the form to know it again; a plain SHA-256 of it,
    the other fields known, gives the ID number back to anyone trying the few million that fit."""
    import hashlib
    import json
    import uuid

    from zhenjie.kernel.models import SubmitKey
    from zhenjie.window.actions.intake import _content, file_application
    from zhenjie.window.tests.test_intake import filing

    sent = filing(ww.items_a["ZW0001"], client_key=uuid.uuid4())
    first = file_application(ww.clerk_a, sent)
    assert file_application(ww.clerk_a, sent).application == first.application  # still known again
    plain = hashlib.sha256(json.dumps(_content(sent, None), sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    assert SubmitKey.objects.get().digest != plain


def test_an_appointments_mobile_is_sealed_and_masked_never_kept_in_clear(db):
    """kernel/PII.md: mobiles are never stored in clear — a caller's booked by a clerk included."""
    from datetime import time

    from zhenjie.kernel import pii
    from zhenjie.window.actions import hall
    from zhenjie.window.actions.hall import PHONE_CONTEXT
    from zhenjie.window.models import Appointment
    from zhenjie.window.tests.hall_world import at, make_hall_world

    hw = make_hall_world()
    slot = hall.save_slot(hw.ww.clerk_a, hw.ww.centre_a, starts=time(9), ends=time(10), capacity=2)
    hall.book_appointment(hw.ww.clerk_a, slot, day=at().date().replace(day=8), item_code="ZW0001", person_name="张强",
                          phone="139 0000 0001", now=at())  # fmt: skip
    row = Appointment.objects.values().get()
    assert "13900000001" not in str(row) and row["phone_masked"] == "139****0001"
    assert pii.decrypt(row["phone_cipher"], PHONE_CONTEXT) == "13900000001"


def test_the_citizen_account_that_applied_online_rates_in_its_account(ww):
    """The online filing opens the case as the public (CitizenActor, no account on the case), so
    the account to ask is the application's `citizen_account`, not the case's creator."""
    from zhenjie.accounts.models import User
    from zhenjie.kernel.errors import Forbidden
    from zhenjie.kernel.models import Case
    from zhenjie.window.actions.intake import file_application
    from zhenjie.window.models import Channel
    from zhenjie.window.rating import rate_application
    from zhenjie.window.tests.test_intake import filing

    citizen = User.objects.create(username="citizen_zhou", kind=User.Kind.CITIZEN)
    stranger = User.objects.create(username="citizen_li", kind=User.Kind.CITIZEN)
    filed = file_application(citizen, filing(ww.items_a["ZW0001"], channel=Channel.ONLINE, township=ww.world.a))
    Case.objects.filter(pk=filed.application.case_id).update(state=State.DELIVERED)  # decided and handed over
    filed.application.case.refresh_from_db()
    with pytest.raises(Forbidden):
        rate_application(stranger, filed.application, 4)
    rate_application(citizen, filed.application, 4)
    assert Case.objects.get(pk=filed.application.case_id).rating == 4


def test_two_keepers_numbering_a_counter_at_once_get_a_conflict_not_a_server_error(monkeypatch):
    """The number check reads before the insert; the other keeper's insert can land between (the
    unique constraint is the last defence): simulated by a check that sees nothing."""
    from django.db.models import QuerySet

    from zhenjie.kernel.errors import Conflict
    from zhenjie.window.actions import hall
    from zhenjie.window.models import Counter
    from zhenjie.window.tests.hall_world import make_hall_world

    hw = make_hall_world()
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # both checked before either inserted
    with pytest.raises(Conflict):
        hall.save_counter(hw.ww.clerk_a, hw.ww.centre_a, number=1, name="又一个1号", clerk=hw.clerk_a2)
    assert Counter.objects.filter(centre=hw.ww.centre_a, number=1).count() == 1
