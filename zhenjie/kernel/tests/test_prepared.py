"""kernel.prepared: a read compiled once answers exactly what its queryset answers, for every
value bound into it, in one query — and a read it could bind wrongly is refused, not run."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhenjie.accounts import actions
from zhenjie.accounts.models import ApiToken, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel.notify import _people, people_to_act
from zhenjie.kernel.prepared import INTS, STRS, Prepared
from zhenjie.kernel.scoping import _grids_covered, _posts_reached, reach_of
from zhenjie.testing import make_user

pytestmark = pytest.mark.django_db


def areas_named(code: str, level: str, ids: list[int]):
    return Area.objects.filter(Q(code__gte=code) | Q(pk__in=ids), level=level).order_by("pk").values_list("pk", "code", "name")


def test_each_call_binds_its_own_values_and_answers_as_the_queryset_does(world):
    prepared = Prepared(areas_named, code=str, level=str, ids=INTS)
    everything = list(Area.objects.values_list("pk", flat=True))
    for code, level, ids in [
        ("0", Area.Level.VILLAGE, everything[:1]),
        ("zzz", Area.Level.TOWNSHIP, [world.a.pk]),
        ("zzz", Area.Level.TOWNSHIP, [world.a.pk, world.b.pk]),
        ("zzz", Area.Level.GRID, everything[:3]),
        ("zzz", Area.Level.COUNTY, []),  # an empty IN: Django's own SQL, which folds it away
    ]:
        with CaptureQueriesContext(connection) as queries:
            got = prepared(code=code, level=level, ids=ids)
        assert got == list(areas_named(code, level, ids)), (code, level, ids)
        assert len(queries) <= 1
    assert prepared(code="zzz", level=Area.Level.TOWNSHIP, ids=[world.a.pk]) == [(world.a.pk, world.a.code, world.a.name)]


def test_model_rows_come_back_as_whole_instances_without_another_query(world, django_assert_num_queries):
    prepared = Prepared(lambda user_id: User.objects.filter(pk=user_id), user_id=int)
    prepared(user_id=world.leader_a.pk)
    with django_assert_num_queries(1):
        [leader] = prepared(user_id=world.leader_a.pk)
        assert (leader.username, leader.is_active, leader.date_joined) == (world.leader_a.username, True, world.leader_a.date_joined)
    assert isinstance(leader.is_active, bool)  # SQLite's 1 turned back into True, as the ORM does
    assert prepared(user_id=world.dispatcher_a.pk) == [world.dispatcher_a]


def test_dates_bind_on_either_database(world):
    prepared = Prepared(_posts_reached, user_id=int, today=date)
    today = timezone.localdate()
    assert sorted(prepared(user_id=world.dispatcher_a.pk, today=today)) == sorted(_posts_reached(world.dispatcher_a.pk, today))


def test_a_value_the_orm_would_rewrite_is_refused_before_anything_runs():
    like = Prepared(lambda path: Area.objects.filter(path__startswith=path).values_list("pk"), path=str)
    with pytest.raises(ImproperlyConfigured, match="transformed"):
        like(path="99")
    with pytest.raises(ImproperlyConfigured, match="must be"):
        Prepared(lambda pk: Area.objects.filter(pk=pk).values("pk"), pk=int)(pk=1)  # dicts: not a shape it builds
    with pytest.raises(ImproperlyConfigured, match="unknown kind"):
        Prepared(lambda when: Area.objects.all(), when=float)


def test_none_or_a_missing_value_is_a_programming_error():
    prepared = Prepared(lambda pk: Area.objects.filter(pk=pk).values_list("pk"), pk=int)
    with pytest.raises(TypeError):
        prepared(pk=None)  # `pk = NULL` is never true: the ORM writes IS NULL instead
    with pytest.raises(TypeError):
        prepared()


def test_the_reach_and_who_acts_as_before_with_a_stand_in(world):
    """The two hot reads rewritten on kernel.prepared: a stand-in's reach gains the absent
    dispatcher's posts (only for the period), and the dispatcher's work reaches the stand-in."""
    aide = make_user("aide_a", world.centre_a, [R.GRID_WORKER], world.grid_a)
    today = timezone.localdate()
    actions.set_stand_in(world.dispatcher_a, absent=world.dispatcher_a, stand_in=aide, starts_on=today, ends_on=today + timedelta(days=2))
    aide = User.objects.get(pk=aide.pk)
    reach = reach_of(aide)
    assert reach.stands_for == {world.dispatcher_a.pk}
    assert {post.unit_id for post in reach.posts} == {world.centre_a.pk}
    assert R.DISPATCHER in reach.roles_in_unit(world.centre_a.pk)
    assert [grid.path for grid in reach.grids] == list(_grids_covered([aide.pk]).values_list("grid__path", flat=True))

    reached = people_to_act(world.centre_a, R.DISPATCHER)
    assert reached == list(_people(world.centre_a.pk, today, R.DISPATCHER)) and aide in reached and world.dispatcher_a in reached
    assert people_to_act(world.centre_a, user=world.dispatcher_a) == [world.dispatcher_a, aide]
    later = today + timedelta(days=5)
    assert aide not in list(_people(world.centre_a.pk, later, R.DISPATCHER))



def test_related_rows_and_datetimes_as_the_orm_gives_them(world, django_assert_num_queries):
    """The API's token read: select_related fills the user from the same row, and an aware
    datetime binds in the backend's form (SQLite keeps naive UTC text)."""
    from zhenjie.api.core import _TOKEN_IN_FORCE, _token_in_force

    row, token = ApiToken.issue(world.leader_a, timedelta(hours=1))
    digest, now = ApiToken.digest_of(token), timezone.now()
    _TOKEN_IN_FORCE(digest=digest, now=now)
    with django_assert_num_queries(1):
        [found] = _TOKEN_IN_FORCE(digest=digest, now=now)
        assert found == row and found.user == world.leader_a and found.user.username == world.leader_a.username
    assert found.expires_at == row.expires_at and found.expires_at.tzinfo is not None
    assert list(_token_in_force(digest, now)) == [found]
    assert _TOKEN_IN_FORCE(digest=digest, now=row.expires_at) == []  # expired: `>` is bound, not written
    assert _TOKEN_IN_FORCE(digest=ApiToken.digest_of("another"), now=now) == []
    assert _TOKEN_IN_FORCE.first(digest=ApiToken.digest_of("another"), now=now) is None
    assert _TOKEN_IN_FORCE.first(digest=digest, now=now) == row


def test_a_list_of_strings_binds_by_its_length(world):
    prepared = Prepared(lambda paths: Area.objects.filter(path__in=paths).order_by("path"), paths=STRS)
    for paths in ([world.a.path], [world.b.path, world.a.path], [world.grid_a.path, "no-such-path", world.b.path], []):
        assert prepared(paths=paths) == list(Area.objects.filter(path__in=paths).order_by("path")), paths


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_read_is_planned_once_per_connection_and_still_counted(world):
    """The server keeps the read's plan (pg_prepared_statements lists it after one call); each
    call is still one query in Django's log, so the query budgets see it."""
    prepared = Prepared(areas_named, code=str, level=str, ids=INTS)
    with CaptureQueriesContext(connection) as queries:
        first = prepared(code="zzz", level=Area.Level.TOWNSHIP, ids=[world.a.pk])
        second = prepared(code="zzz", level=Area.Level.TOWNSHIP, ids=[world.b.pk])
    assert [row[0] for row in first] == [world.a.pk] and [row[0] for row in second] == [world.b.pk]
    assert len(queries) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert sum('"areas_area"' in statement and "$1" in statement for statement in statements) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_reads_of_django_itself_are_not_prepared(world):
    """Only kernel.prepared's reads: a queryset's plan may depend on its values (a LIKE prefix)."""
    for _ in range(10):  # past any threshold
        list(Area.objects.filter(path__startswith=world.a.path).values_list("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%LIKE%%'")
        assert cursor.fetchone()[0] == 0
