from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.kernel.assignments import Assign, Inbox, create, inbox_for
from zhenjie.kernel.tests.casekind.workflow import make_errand
from zhenjie.testing import make_user

pytestmark = pytest.mark.django_db


def test_pages_read_branch_by_branch_equal_the_single_query(world):
    # A person with two posts (two units) plus work addressed to them by name, some without deadline.
    make_user_post = make_user("two_posts", world.office_a, ["back_office_handler"], world.a)
    from zhenjie.accounts.actions import grant_post

    grant_post(None, user=make_user_post, unit=world.centre_a, title="兼调度", roles=["dispatcher"], jurisdiction=world.a)
    now = timezone.now()
    for index in range(12):
        errand = make_errand(world, title=f"任务{index}")
        create(errand.case, Assign(world.centre_a, "review", due_at=now + timedelta(hours=index * 7 % 11), role="dispatcher"))
        create(errand.case, Assign(world.office_a, "note", due_at=None))
        create(errand.case, Assign(world.office_a, "personal", due_at=now + timedelta(hours=index), user=make_user_post))
        create(errand.case, Assign(world.office_a, "not_mine", due_at=now, role="legal_reviewer"))
    person = type(make_user_post).objects.get(pk=make_user_post.pk)
    expected = list(inbox_for(person))
    assert len(expected) == 12 * 4  # take + review + note + personal; not the legal reviewer's
    inbox = Inbox(person)
    assert inbox.count() == len(expected)
    for start, stop in [(0, 10), (10, 20), (40, 50), (45, 60), (0, 1)]:
        assert inbox[start:stop] == expected[start:stop]


def test_a_page_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for index in range(5):
        make_errand(world, title=f"任务{index}")
    person = type(world.clerk_a).objects.get(pk=world.clerk_a.pk)
    inbox = Inbox(person)  # reads the reach: one query
    with django_assert_num_queries(3):  # one head per branch (person, unit) and the page itself
        assert len(inbox[0:20]) == 5


def test_heads_in_due_order_merge_the_branches_and_carry_the_columns_asked_for(world):
    from django.db.models import Q

    from zhenjie.kernel.assignments import heads_in_due_order

    now = timezone.now()
    made = []
    for index, unit in enumerate([world.centre_a, world.office_a] * 3):
        errand = make_errand(world, title=f"任务{index}")
        made.append(create(errand.case, Assign(unit, "queue_test", due_at=now + timedelta(hours=(index * 5) % 7))))
    branches = [Q(unit_id=world.centre_a.pk), Q(unit_id=world.office_a.pk)]
    heads = list(heads_in_due_order(branches, Q(todo="queue_test"), 4, "case_id"))
    expected = sorted(made, key=lambda a: (a.due_at, a.pk))
    # Each branch gives at most 4; merged, the first 4 are the 4 soonest of all.
    assert [(due, pk, case_id) for due, pk, case_id in heads][:4] == [(a.due_at, a.pk, a.case_id) for a in expected][:4]
