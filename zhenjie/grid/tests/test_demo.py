"""The demo county's grids look lived in: leads everywhere, registers, every kind of key
population with a year of visits (some overdue now), patrols with tracks inside their grids."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from zhenjie.areas import geo
from zhenjie.areas.models import Area
from zhenjie.grid.actions.registers import RESIDENT_ID_CONTEXT
from zhenjie.accounts.models import Coverage
from zhenjie.grid.models import Building, KeyPerson, Organisation, Patrol, Resident, Visit
from zhenjie.grid.populations import Kind
from zhenjie.kernel import journal, pii

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_fills_every_grid_and_a_second_run_adds_nothing(demo):
    grids = Area.objects.filter(level="grid")
    today = timezone.localdate()

    # Every grid has exactly one lead; a few workers cover two grids; one grid changed hands.
    leads = Coverage.objects.filter(is_lead=True, ended_at__isnull=True)
    assert leads.count() == grids.count() == leads.values("grid").distinct().count()
    two_grids = Coverage.objects.filter(ended_at__isnull=True).values("worker").annotate(n=Count("grid")).filter(n__gte=2)
    assert two_grids.count() >= 4
    assert Coverage.objects.filter(is_lead=True, ended_at__isnull=False).count() == 4

    # Registers everywhere, with real-looking (fictional) ID numbers and credit codes.
    assert Resident.objects.values("grid").distinct().count() == grids.count()
    assert Building.objects.values("grid").distinct().count() == grids.count()
    assert Organisation.objects.values("grid").distinct().count() == grids.count()
    for resident in Resident.objects.order_by("?")[:50]:
        number = pii.decrypt(resident.id_number_cipher, RESIDENT_ID_CONTEXT)
        assert pii.normalise_citizen_id(number) == number and number.startswith("990121")
    for organisation in Organisation.objects.exclude(credit_code=""):
        assert pii.normalise_credit_code(organisation.credit_code) == organisation.credit_code

    # Every kind of key population, a year of visits, some overdue and most not.
    assert set(KeyPerson.objects.values_list("kind", flat=True)) == set(Kind.values)
    span = Visit.objects.aggregate(first=Min("visited_at"), last=Max("visited_at"))
    assert span["last"] - span["first"] > timedelta(days=330)
    active = KeyPerson.objects.filter(ended_on__isnull=True)
    overdue = active.filter(next_visit_on__lt=today).count()
    assert 0.05 * active.count() < overdue < 0.35 * active.count()
    assert Visit.objects.filter(photos__isnull=False).exists()

    # Patrols with tracks that stay inside their grids.
    assert Patrol.objects.filter(ended_at__isnull=True).count() == 0
    for patrol in Patrol.objects.select_related("grid").order_by("?")[:40]:
        assert patrol.track and all(geo.contains_point(patrol.grid.boundary, lng, lat) for lng, lat in patrol.track["coordinates"])
    assert journal.verify() == []

    counts = [model.objects.count() for model in (Coverage, Resident, Building, Organisation, KeyPerson, Visit, Patrol)]
    output = io.StringIO()
    call_command("demo", stdout=output)
    assert output.getvalue().count("已存在，跳过") >= 6
    assert [model.objects.count() for model in (Coverage, Resident, Building, Organisation, KeyPerson, Visit, Patrol)] == counts
