"""List pages and API lists run a fixed number of queries whether a list holds 3 items or 10,000."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenjie.accounts.models import ApiToken
from zhenjie.lists.models import ListKind, PowerItem, ServiceItem, ServiceMaterial
from zhenjie.lists.search import initials_of

from .builders import published_list, service_row, township_power_list

pytestmark = pytest.mark.django_db

LARGE = 10_000


def count(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def grow_powers(version, unit, total=LARGE):
    start = PowerItem.objects.filter(version=version).count()
    PowerItem.objects.bulk_create(
        [
            PowerItem(
                version=version, position=index, code=f"BULK{index:05d}", name=f"对违反城乡规划行为的行政处罚第{index}项",
                initials=initials_of("对违反城乡规划行为的行政处罚") + str(index), power_type="penalty", legal_basis="《城乡规划法》",
                implementing_unit=unit, level="township", responsibilities="立案、调查、决定", accountability="违法实施处罚的",
            )
            for index in range(start + 1, total + 1)
        ],
        batch_size=2000,
    )
    version.item_count = total
    version.save(update_fields=["item_count"])


def grow_services(version, total=LARGE):
    start = ServiceItem.objects.filter(version=version).count()
    items = ServiceItem.objects.bulk_create(
        [
            ServiceItem(
                version=version, position=index, code=f"S{index:05d}", name=f"城乡居民养老保险事项{index}", initials=f"cxjmylbxsx{index}",
                service_type="public_service", handling_level="township", conditions="本县居民", steps=["受理", "办结"], promised_days=1,
                visits=0, online=True, place="便民服务中心", hours="工作日", phone="0537-1", result="回执", legal_basis="《社会保险法》",
            )
            for index in range(start + 1, total + 1)
        ],
        batch_size=2000,
    )
    ids = [item.pk for item in items] if items[0].pk else list(ServiceItem.objects.filter(version=version, position__gt=start).values_list("pk", flat=True))
    ServiceMaterial.objects.bulk_create(
        [ServiceMaterial(item_id=pk, position=p, name="居民身份证", form="original", copies=1, requirement="required") for pk in ids for p in range(2)],
        batch_size=4000,
    )
    version.item_count = total
    version.save(update_fields=["item_count"])


@pytest.fixture
def small_lists(world):
    world.powers = township_power_list(world, world.a, count=3)
    world.services = published_list(
        world.county_admin, kind=ListKind.SERVICE, name="甲镇政务服务事项清单", area=world.a, rows=[service_row(f"S{i:05d}", f"城乡居民养老保险事项{i}") for i in (1, 2, 3)]
    )
    return world


def test_list_pages_and_api_lists_run_the_same_queries_with_3_and_10000_items(client, small_lists):
    world = small_lists
    _, token = ApiToken.issue(world.county_admin, timedelta(hours=1))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    code = world.a.code
    staff_urls = [
        reverse("lists:version", args=[world.powers.pk]),
        reverse("lists:version", args=[world.powers.pk]) + "?q=dwf&page=2",
        reverse("lists:version", args=[world.services.pk]) + "?size=100",
        reverse("lists:home"),
    ]
    public_urls = [
        reverse("lists:public_section", args=[code, "power"]),
        reverse("lists:public_section", args=[code, "services"]) + "?q=cxjm&size=100",
        reverse("lists:public_section", args=[code, "power"]) + "?f=penalty",
        reverse("lists:public_township", args=[code]),
        reverse("lists:public_guide", args=[code, "S00002"]),
    ]
    api_urls = [
        f"/api/lists/versions/{world.powers.pk}/items?page_size=100",
        f"/api/public/lists/versions/{world.services.pk}/items?page_size=100&q=cxjm",
    ]
    client.force_login(world.county_admin)
    client.get(staff_urls[0])  # warm the session
    before = [count(client, url) for url in staff_urls] + [count(client, url, **auth) for url in api_urls]
    client.logout()
    before_public = [count(client, url) for url in public_urls]

    grow_powers(world.powers, world.gov_a)
    grow_services(world.services)
    assert PowerItem.objects.filter(version=world.powers).count() == LARGE
    assert ServiceItem.objects.filter(version=world.services).count() == LARGE

    client.force_login(world.county_admin)
    client.get(staff_urls[0])
    after = [count(client, url) for url in staff_urls] + [count(client, url, **auth) for url in api_urls]
    client.logout()
    after_public = [count(client, url) for url in public_urls]
    assert after == before
    assert after_public == before_public
    # and the page still says how many there are
    client.force_login(world.county_admin)
    page = client.get(staff_urls[0]).content.decode()
    assert f'data-testid="total-count">{LARGE}<' in page


def test_delegation_pages_and_the_lists_home_run_the_same_queries_at_3_and_30_rows(client, world):
    from datetime import date

    from zhenjie.lists import actions
    from zhenjie.lists.models import DelegationBatch

    from .builders import power_row

    rows = [power_row(f"GA-CF-{i:03d}", f"治安处罚事项{i}", world.police, level="县级") for i in range(1, 31)]
    published_list(world.county_admin, kind=ListKind.POWER, name="测试县县直部门权责清单", area=world.county, rows=rows)
    batch = actions.create_batch(world.county_admin, world.county, title="第一批")

    def grow(total):
        while batch.delegations.count() < total:
            number = batch.delegations.count() + 1
            actions.propose_delegation(world.county_admin, batch, department=world.police, power_code=f"GA-CF-{number:03d}", scope="all", effective_from=date(2026, 7, 1))
            actions.create_batch(world.county_admin, world.county, title=f"批次{number}")
            published_list(world.county_admin, kind=ListKind.POWER, name=f"甲镇权责清单{number}", area=world.a, rows=[power_row("CF1", "事项", world.gov_a)])

    _, token = ApiToken.issue(world.county_admin, timedelta(hours=1))
    urls = [reverse("lists:home"), reverse("lists:delegations"), reverse("lists:batch", args=[batch.pk])]
    client.force_login(world.county_admin)

    def measure():
        client.get(urls[0])
        return [count(client, url) for url in urls] + [count(client, "/api/lists/delegations?page_size=100", HTTP_AUTHORIZATION=f"Bearer {token}")]

    grow(3)
    small = measure()
    grow(30)
    assert DelegationBatch.objects.count() == 31
    assert measure() == small
