"""The application's archive package (window/archive.py over kernel/archive.py): a delivered
application's record, papers and scans verify; a changed file is found; township B reaches
nothing; the retention is the county's rule for the service item."""

import io
import json
import zipfile

import pytest
from django.db import transaction

from zhenjie.kernel import archive, attachments, retention
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound
from zhenjie.kernel.models import Case
from zhenjie.testing import png
from zhenjie.window.actions.decision import approve_application
from zhenjie.window.actions.delivery import deliver_application
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww():
    return make_window_world()


def delivered(ww, code: str = "ZW0001"):
    application = make_application(ww, code, state=State.REVIEWING)
    approve_application(ww.backoffice_a, application, opinion="材料齐全")
    with transaction.atomic():
        deliver_application(ww.clerk_a, application, method="window", received_by="王秀英", signed_scan=(png("red"), "签收单.png"))
    return Case.objects.get(pk=application.case_id)


def archived(actor, case, capture):
    with capture(execute=True):
        package = archive.archive_case(actor, case)
    package.refresh_from_db()
    return package


def content_of(package) -> bytes:
    with attachments.open_blob(package.attachment.blob) as stored:
        return stored.read()


def rewritten(content: bytes, member: str, old: bytes, new: bytes) -> bytes:
    """The package with one member's bytes replaced, everything else as it was."""
    source, buffer = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name == member:
                assert old in data
                data = data.replace(old, new, 1)
            out.writestr(name, data)
    return buffer.getvalue()


def test_a_delivered_applications_package_holds_its_record_and_papers_and_verifies(ww, django_capture_on_commit_callbacks):
    case = delivered(ww)
    package = archived(ww.clerk_a, case, django_capture_on_commit_callbacks)
    assert package.state == "ready"
    content = content_of(package)
    assert archive.verify_package(content) == []
    members = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert any(m.startswith("documents/") and "准" in m for m in members) and any(m.startswith("documents/") and "送" in m for m in members)
    assert any(m.startswith("attachments/") and m.endswith("签收单.png") for m in members)
    record = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("case.json"))
    detail = record["detail"]
    text = json.dumps(detail, ensure_ascii=False)
    assert "最低生活保障申请" in text and "材料齐全" in text and "窗口领取" in text
    applicant = detail["applicant"]
    assert "*" in applicant["id_number"] and "*" in applicant["phone"]  # masked, as everywhere
    # a changed file is found: the record rewritten inside the package, and a byte of the zip
    assert archive.verify_package(rewritten(content, "case.json", '"准予"'.encode(), '"不予"'.encode())) == [
        "文件已被改动(SHA-256或大小与清单不符)：case.json"]
    changed = bytearray(content)
    changed[len(changed) // 3] ^= 1
    assert archive.verify_package(bytes(changed)) != []


def test_who_may_archive_and_when(ww, django_capture_on_commit_callbacks):
    case = delivered(ww)
    with pytest.raises(NotFound):
        archive.archive_case(ww.clerk_b, case)  # another township's clerk
    with pytest.raises(Forbidden):
        archive.archive_case(ww.backoffice_a, case)  # the back office does not archive
    assert archive.may_archive(ww.world.leader_a, case) and not archive.may_archive(ww.backoffice_a, case)
    reviewing = make_application(ww, state=State.REVIEWING).case
    with pytest.raises(Conflict):
        archive.archive_case(ww.clerk_a, reviewing)
    assert archived(ww.world.leader_a, case, django_capture_on_commit_callbacks).state == "ready"
    assert not archive.packages_of_case_for(ww.clerk_b, case.pk).exists()
    with pytest.raises(NotFound):
        archive.get_package_for(ww.clerk_b, case.pk, case.archive_packages.get().pk)


def test_the_retention_is_the_countys_rule_for_the_service_item(ww, django_capture_on_commit_callbacks):
    admin = ww.world.county_admin
    retention.set_retention(admin, "application", "", 10)
    retention.set_retention(admin, "application", "ZW0002", 30)
    high_age = archived(ww.clerk_a, delivered(ww, "ZW0002"), django_capture_on_commit_callbacks)
    low_income = archived(ww.clerk_a, delivered(ww, "ZW0001"), django_capture_on_commit_callbacks)
    assert (high_age.retention_years, low_income.retention_years) == (30, 10)
