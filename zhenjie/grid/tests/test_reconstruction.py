"""A masked ID number cannot be rebuilt from what a reader may open (issue 12 item 3).

The mask keeps the first 6 and last 4 characters (110105********002X) and hides the 8 digits of
the birth date. So the birth date may stand beside it only for a reader who may reveal the whole
number anyway (jurisdiction.REVEALERS, each reveal journaled). A county administrator reads the
registers but may not reveal: every page, export and API answer they can open about a resident is
searched here for the full number and for the birth date in any spelling, and found to hold
neither."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from zhenjie.testing import Api, citizen_id, make_key_person, make_resident

pytestmark = pytest.mark.django_db

BORN = date(1975, 3, 14)


def spellings(born: date) -> list[str]:
    return [f"{born:%Y%m%d}", f"{born:%Y-%m-%d}", f"{born:%Y/%m/%d}", f"{born.year}年{born.month}月{born.day}日",
            f"{born.year}-{born.month}-{born.day}", f"{born.year}年", f'"{born.year}']


def text_of(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)
    return response.content.decode()


@pytest.fixture
def resident(gw):
    world = gw.world
    person = make_resident(world.grid_a, world.grid_worker_a, 7, name="赵六", born=BORN, phone="13912345678")
    make_key_person(person, world.grid_worker_a)
    return person


def pages_about(resident) -> list[str]:
    from zhenjie.grid.models import KeyPerson

    key_person = KeyPerson.objects.get(resident=resident)
    pages = ["/grid/residents/", f"/grid/residents/{resident.pk}/", "/grid/ledger/", "/grid/ledger/?kind=subsistence",
             f"/grid/ledger/{key_person.pk}/", "/grid/visits/", "/grid/overdue/", f"/grid/grids/{resident.grid_id}/",
             f"/grid/residents/?q={resident.name}", f"/grid/ledger/new/{resident.pk}/"]
    exports = ["/grid/residents/?format=xlsx", "/grid/ledger/?format=xlsx", "/grid/ledger/?kind=subsistence&format=xlsx",
               "/grid/visits/?format=xlsx", "/grid/overdue/?format=xlsx"]
    return pages + exports


def api_about(resident) -> list[str]:
    from zhenjie.grid.models import KeyPerson

    key_person = KeyPerson.objects.get(resident=resident)
    return ["/api/grid/residents", f"/api/grid/residents?q={resident.name}", "/api/grid/key-persons", f"/api/grid/key-persons/{key_person.pk}",
            "/api/grid/visits", "/api/grid/my-grids"]


def test_a_reader_who_may_not_reveal_finds_neither_the_number_nor_the_birth_date_anywhere(client, gw, resident):
    world, full = gw.world, citizen_id(7, BORN)
    assert resident.id_number_masked == full[:6] + "*" * 8 + full[-4:]
    client.force_login(world.county_admin)
    opened = exports = 0
    for url in pages_about(resident):
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened += 1
        exports += response["Content-Type"].startswith("application/vnd.openxmlformats")
        text = text_of(response)
        found = [s for s in [full, *spellings(BORN)] if s in text]
        assert found == [], (url, found)
    assert opened >= 10 and exports >= 3  # the county administrator does read the registers and export them
    api = Api(client).as_("county_admin")
    for url in api_about(resident):
        response = api.get(url)
        assert response.status_code in (200, 403, 404), url
        text = response.content.decode()
        found = [s for s in [full, *spellings(BORN)] if s in text]
        assert found == [], (url, found)
    body = api.get("/api/grid/residents").json()["items"][0]
    assert (body["id_number_masked"], body["birth_date"]) == (resident.id_number_masked, None)
    key_person = resident.key_person_entries.get()
    assert api.get(f"/api/grid/key-persons/{key_person.pk}").json()["resident"]["birth_date"] is None


def test_a_reader_who_may_reveal_sees_the_birth_date_and_the_full_number_only_by_a_journaled_reveal(client, gw, resident):
    from zhenjie.kernel.models import JournalEntry

    world, full = gw.world, citizen_id(7, BORN)
    client.force_login(world.dispatcher_a)
    page = client.get(f"/grid/residents/{resident.pk}/").content.decode()
    assert "1975-03-14" in page and full not in page
    api = Api(client).as_("dispatcher_a")
    assert api.get("/api/grid/residents").json()["items"][0]["birth_date"] == "1975-03-14"
    key_person = resident.key_person_entries.get()
    assert api.get(f"/api/grid/key-persons/{key_person.pk}").json()["resident"]["birth_date"] == "1975-03-14"
    revealed = client.post(f"/grid/residents/{resident.pk}/", {"reveal": "1"}).content.decode()
    assert full in revealed
    assert JournalEntry.objects.filter(verb="grid.resident.reveal", actor=world.dispatcher_a).count() == 1
    assert not re.search(r"\d{17}[\dX]", "".join(f"{e.summary}{e.data}" for e in JournalEntry.objects.all()))
