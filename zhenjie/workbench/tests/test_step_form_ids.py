"""Several steps' forms on one page (the kit's step_forms) must not share element ids: a legal
reviewer sees 审核通过 and 审核退回 side by side, both asking 事实清楚 …; with shared ids the
second form's labels would tick the first form's boxes."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from zhenjie.enforcement.testing import make_enforcement_case, make_enforcement_world
from zhenjie.enforcement.workflow import State

pytestmark = pytest.mark.django_db


def test_each_step_form_on_the_case_page_has_ids_of_its_own_and_its_labels_point_at_them(world, client):
    ew = make_enforcement_world(world)
    case = make_enforcement_case(ew, state=State.REVIEWING)
    client.force_login(ew.reviewer_a)
    html = client.get(reverse("enforcement:detail", args=[case.case_id])).content.decode()
    assert 'name="facts_clear"' in html  # both review forms are on the page
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, count in ids.items() if count > 1] == []
    assert {"id_review_pass_facts_clear", "id_review_return_facts_clear"} <= set(ids)
    assert set(re.findall(r'<label[^>]*\sfor="([^"]+)"', html)) <= set(ids)
