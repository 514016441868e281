"""Hostile text (issue 15 round 2 review): an applicant's name, a refusal's reason and a point's
name written as markup or as a spreadsheet formula come out as text — escaped on every page,
stored as text (quote prefix) in the exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.window.actions.acceptance import refuse_acceptance
from zhenjie.window.testing import make_applicant, make_application, make_point, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db

MARKUP = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","点我")'


def test_markup_and_formulas_typed_by_people_stay_text_on_pages_and_in_exports(client):
    ww = make_window_world()
    applicant = make_applicant(ww, 9, name=FORMULA + MARKUP)
    received = make_application(ww, applicant=applicant)
    refused = make_application(ww, applicant=applicant)
    refuse_acceptance(ww.clerk_a, refused, "不符合条件" + MARKUP)
    reviewing = make_application(ww, applicant=applicant, state=State.REVIEWING)
    make_point(ww, name="点" + MARKUP)
    client.force_login(ww.clerk_a)
    pages = [reverse("window:home"), reverse("window:queue"), reverse("window:detail", args=[received.case_id]),
             reverse("window:detail", args=[refused.case_id]), reverse("window:decision", args=[reviewing.case_id]),
             reverse("window_backoffice:clock", args=[reviewing.case_id]), reverse("window:agent_points")]  # fmt: skip
    for url in pages:
        body = client.get(url).content.decode()
        assert MARKUP not in body, url
    client.force_login(ww.backoffice_a)
    assert MARKUP not in client.get(reverse("window_backoffice:queue")).content.decode()
    client.force_login(ww.clerk_a)
    for url in (reverse("window:home"), reverse("window:agent_points")):
        sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
        assert cells and all(cell.data_type == "s" for cell in cells)
        assert all(cell.quotePrefix for cell in cells if cell.value.startswith("="))
    assert any(cell.value.startswith("=") for row in load_workbook(io.BytesIO(client.get(reverse("window:home"), {"format": "xlsx"}).content)).active.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str))
