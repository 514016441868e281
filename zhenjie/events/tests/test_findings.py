import io

import pytest
from django.urls import reverse
from PIL import Image

from zhenjie.events.findings import report_finding
from zhenjie.events.models import Category, Event
from zhenjie.grid.actions.patrols import add_finding, start_patrol
from zhenjie.kernel.errors import Conflict
from zhenjie.kernel.models import Attachment
from zhenjie.testing import make_grid_world

pytestmark = pytest.mark.django_db


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def finding(world):
    make_grid_world(world)
    patrol = start_patrol(world.grid_worker_a, world.grid_a, lng=116.02, lat=35.02)
    return add_finding(world.grid_worker_a, patrol, description="井盖缺失，有行人跌落危险", needs_handling=True,
                       lng=116.021, lat=35.021, photo=(jpeg(), "井盖.jpg"))


def test_a_patrol_finding_becomes_one_event_with_its_photo(world, finding):
    event = report_finding(world.grid_worker_a, finding, Category.objects.get(code="road_facility"))
    finding.refresh_from_db()
    assert finding.case_id == event.case_id and event.case.area == world.grid_a
    assert event.reported_at == finding.created_at and event.channel == "grid"
    assert Attachment.objects.filter(case=event.case).get().name == "井盖.jpg"
    with pytest.raises(Conflict):
        report_finding(world.grid_worker_a, finding, Category.objects.get(code="road_facility"))


def test_the_report_page_takes_a_finding_and_other_townships_cannot(client, world, finding):
    client.force_login(world.dispatcher_b)
    assert client.get(reverse("events:report") + f"?finding={finding.pk}").status_code == 404
    client.force_login(world.grid_worker_a)
    page = client.get(reverse("events:report") + f"?finding={finding.pk}").content.decode()
    assert "井盖缺失" in page and "照片随附" in page
    response = client.post(reverse("events:report"), {
        "finding": finding.pk, "category": Category.objects.get(code="road_facility").pk, "description": "井盖缺失，已设置警示", "channel": "grid",
    })
    event = Event.objects.get()
    assert response["Location"] == reverse("events:detail", args=[event.case_id]) and event.description == "井盖缺失，已设置警示"
    assert client.get(reverse("events:report") + f"?finding={finding.pk}").status_code == 404  # reported once
