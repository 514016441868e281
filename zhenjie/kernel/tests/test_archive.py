"""Archive packages (归档包): a closed case's files, documents, header and journal in one zip that
verifies on its own (verify.py, run here with plain Python), and that the system's check still
catches when someone edits a file and the manifest together. Cases are errands, the kernel's
test-only kind, whose leads may archive (kernel/tests/casekind/workflow.py)."""

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import archive, attachments, documents, rating, retention
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import ArchivePackage, Case, JournalEntry, RetentionRule
from zhenjie.kernel.tests.casekind.kit import answer
from zhenjie.kernel.tests.casekind.workflow import make_errand
from zhenjie.kernel.workflow import perform
from zhenjie.testing import api, make_other_county, make_task, png  # noqa: F401  (api: a fixture)

pytestmark = pytest.mark.django_db


def done_errand(world, title="清点防汛物资"):
    errand = make_errand(world, title=title)
    perform(world.clerk_a, errand.case, "take", assign=[Assign(errand.unit, "answer")])
    with transaction.atomic():
        attachments.store(png("red"), "现场照片.png", "photo", case=errand.case, actor=world.clerk_a)
    answer(world.clerk_a, errand, "已清点沙袋300个")
    perform(world.leader_a, errand.case, "accept")
    documents.issue_document(world.leader_a, errand.case, "errand_receipt")
    return Case.objects.get(pk=errand.case_id)


def archived(world, case, actor=None, capture=None) -> ArchivePackage:
    with capture(execute=True):
        package = archive.archive_case(actor or world.leader_a, case)
    package.refresh_from_db()
    return package


def zip_bytes(package: ArchivePackage) -> bytes:
    with attachments.open_blob(package.attachment.blob) as stored:
        return stored.read()


def unzip(content: bytes, folder):
    with zipfile.ZipFile(io.BytesIO(content)) as archive_file:
        archive_file.extractall(folder)
    return folder


def rezip(folder) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def run_verify(folder, *target) -> subprocess.CompletedProcess:
    """The package's own verify.py, with plain Python, as anyone who received it would."""
    return subprocess.run([sys.executable, str(folder / "verify.py"), *map(str, target)], capture_output=True, text=True, encoding="utf-8", timeout=60)


def rewrite_manifest(folder, changed: str) -> None:
    """What someone who edits a file does next: set the manifest's SHA-256 and size to match."""
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    content = (folder / changed).read_bytes()
    for item in manifest["files"]:
        if item["path"] == changed:
            item["sha256"], item["size"] = hashlib.sha256(content).hexdigest(), len(content)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


@pytest.fixture
def package(world, django_capture_on_commit_callbacks):
    return archived(world, done_errand(world), capture=django_capture_on_commit_callbacks)


# ---- the package -----------------------------------------------------------------------------


def test_a_closed_case_is_packaged_with_its_files_documents_header_and_journal_and_verifies(world, package):
    case = package.case
    assert package.state == "ready" and package.version == 1
    content = zip_bytes(package)
    with zipfile.ZipFile(io.BytesIO(content)) as packed:
        names = set(packed.namelist())
        manifest = json.loads(packed.read("manifest.json"))
        header = json.loads(packed.read("case.json"))
        segments = json.loads(packed.read("journal.json"))["segments"]
    photo = next(name for name in names if name.startswith("attachments/"))
    receipt = next(name for name in names if name.startswith("documents/"))
    assert photo.endswith("-现场照片.png") and "回〔" in receipt
    assert names == {"manifest.json", "verify.py", "case.json", "journal.json", photo, receipt}
    assert {item["path"] for item in manifest["files"]} == names - {"manifest.json"}
    assert header["case"]["number"] == case.number and header["detail"] == {"unit": world.office_a.name, "answer": "已清点沙袋300个"}
    assert (manifest["case"]["number"], manifest["packaged_by"], manifest["package"]) == (case.number, world.leader_a.display_name, {"id": package.pk, "version": 1})
    # Every entry of the case, with its hash and the previous one's.
    own = [row for segment in segments for row in segment["entries"] if "fields" in row]
    stored = list(JournalEntry.objects.filter(case=case).exclude(verb="archive.package").order_by("seq"))
    assert [(row["seq"], row["prev"], row["hash"]) for row in own] == [(e.seq, e.prev_hash, e.hash) for e in stored]
    # Sealed: the manifest's SHA-256 and HMAC on the row, and a journal entry saying so.
    assert package.sha256 == hashlib.sha256(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()).hexdigest()
    assert package.seal == archive.seal_of(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode())
    entry = JournalEntry.objects.get(case=case, verb="archive.package")
    assert entry.data["manifest_sha256"] == package.sha256 and entry.actor == world.leader_a
    assert archive.verify_package(content) == [] and archive.verify_stored(package) == []


def test_verify_py_says_tongguo_with_plain_python_on_the_unzipped_folder_and_on_the_zip(package, tmp_path):
    content = zip_bytes(package)
    folder = unzip(content, tmp_path / "pkg")
    (tmp_path / "pkg.zip").write_bytes(content)

    in_folder, on_zip = run_verify(folder), run_verify(folder, tmp_path / "pkg.zip")

    for result in (in_folder, on_zip):
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip().endswith("通过") and package.sha256 in result.stdout
    assert "import django" not in (folder / "verify.py").read_text("utf-8")  # stdlib only


def test_one_changed_byte_of_an_attachment_is_named_by_verify_py_and_by_the_system(package, tmp_path):
    folder = unzip(zip_bytes(package), tmp_path / "pkg")
    photo = next((folder / "attachments").iterdir())
    data = bytearray(photo.read_bytes())
    data[-5] ^= 1
    photo.write_bytes(bytes(data))

    result = run_verify(folder)

    name = f"attachments/{photo.name}"
    assert result.returncode == 1 and f"文件已被改动(SHA-256或大小与清单不符)：{name}" in result.stdout and "通过\n" not in result.stdout
    assert archive.verify_package(rezip(folder)) == [f"文件已被改动(SHA-256或大小与清单不符)：{name}"]


def test_a_byte_changed_inside_the_zip_itself_is_caught(package):
    content = bytearray(zip_bytes(package))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as packed:
        info = packed.getinfo("case.json")
    content[info.header_offset + 30 + len(info.filename.encode()) + 5] ^= 1  # inside case.json's compressed data
    problems = archive.verify_package(bytes(content))
    assert problems and all("case.json" in problem for problem in problems)


def test_a_file_and_the_manifest_edited_together_pass_verify_py_but_not_the_system_check(package, tmp_path):
    folder = unzip(zip_bytes(package), tmp_path / "pkg")
    case_json = folder / "case.json"
    case_json.write_text(case_json.read_text("utf-8").replace("已清点沙袋300个", "已清点沙袋3000个"), "utf-8")
    rewrite_manifest(folder, "case.json")

    result = run_verify(folder)

    # On its own, verify.py cannot know: it says so, and prints the manifest's SHA-256 to compare.
    assert result.returncode == 0 and package.sha256 not in result.stdout
    assert archive.verify_package(rezip(folder)) == [
        f"清单与系统登记的SHA-256不符(清单被改动)：登记值 {package.sha256}",
        "清单的校验码(HMAC)与系统登记的不符(清单被改动)",
    ]


def test_a_dropped_journal_entry_breaks_the_chain_even_with_the_manifest_rewritten(package, tmp_path):
    folder = unzip(zip_bytes(package), tmp_path / "pkg")
    journal_file = folder / "journal.json"
    kept = json.loads(journal_file.read_text("utf-8"))
    entries = kept["segments"][0]["entries"]
    dropped = entries.pop(2)
    journal_file.write_text(json.dumps(kept, ensure_ascii=False), "utf-8")
    rewrite_manifest(folder, "journal.json")

    result = run_verify(folder)

    chain = kept["segments"][0]["chain"]
    assert result.returncode == 1
    assert f"全过程记录链 {chain} 断裂：缺少第 {dropped['seq']} 条(下一条为第 {dropped['seq'] + 1} 条)" in result.stdout
    assert any("断裂" in problem for problem in archive.verify_package(rezip(folder)))


def test_an_entry_rewritten_with_consistent_links_is_caught_by_its_keyed_digest(package, tmp_path):
    folder = unzip(zip_bytes(package), tmp_path / "pkg")
    journal_file = folder / "journal.json"
    kept = json.loads(journal_file.read_text("utf-8"))
    entry = next(row for row in kept["segments"][0]["entries"] if "fields" in row and row["fields"]["verb"] == "answer")
    entry["fields"]["data"] = {"answer": "已清点沙袋3000个"}
    journal_file.write_text(json.dumps(kept, ensure_ascii=False), "utf-8")
    rewrite_manifest(folder, "journal.json")

    assert run_verify(folder).returncode == 0  # links intact: without the key it cannot tell
    problems = archive.verify_package(rezip(folder))
    assert f"全过程记录链 {kept['segments'][0]['chain']} 第 {entry['seq']} 条：内容与哈希不符(记录被改动)" in problems


def test_other_cases_between_in_the_township_chain_are_links_only(world, django_capture_on_commit_callbacks):
    errand = make_errand(world)
    make_task(world, title="另一件交办件，内容不应进入归档包")  # entries of another case in between
    perform(world.clerk_a, errand.case, "take", assign=[Assign(errand.unit, "answer")])
    answer(world.clerk_a, errand, "已办")
    perform(world.leader_a, errand.case, "accept")
    package = archived(world, Case.objects.get(pk=errand.case_id), capture=django_capture_on_commit_callbacks)

    content = zip_bytes(package)
    segment = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("journal.json"))["segments"][0]
    others = [row for row in segment["entries"] if "fields" not in row]
    assert others and all(set(row) == {"seq", "prev", "hash"} for row in others)
    assert "另一件交办件".encode() not in content
    assert archive.verify_package(content) == []


# ---- who, when, how often --------------------------------------------------------------------


def test_an_open_case_is_refused_and_nothing_is_written(world):
    case = make_errand(world).case
    with pytest.raises(Conflict) as error:
        archive.archive_case(world.leader_a, case)
    assert (error.value.code, error.value.message) == ("archive.case_open", "事项尚未办结，办结后才能归档")
    assert not ArchivePackage.objects.exists()


def test_who_may_archive_is_the_kinds_rule_and_a_kind_without_one_refuses(world, django_capture_on_commit_callbacks):
    case = done_errand(world)
    with pytest.raises(Forbidden) as error:
        archive.archive_case(world.clerk_a, case)
    assert error.value.message == "只有领导和调度员可以归档"
    allowed = archive.archive_case(world.clerk_a, case, may=lambda actor, case: None)  # a kind's own rule passed in
    assert allowed.case_id == case.pk
    task = make_task(world)
    with pytest.raises(Forbidden) as error:
        archive.archive_case(world.leader_a, task.case)
    assert error.value.message == "交办件不支持此操作"


def test_archiving_again_returns_the_package_until_the_record_grows_then_makes_a_new_version(world, package, django_capture_on_commit_callbacks):
    assert archived(world, package.case, capture=django_capture_on_commit_callbacks).pk == package.pk
    rating.rate(world.leader_a, package.case, 5)  # rated after it was archived

    second = archived(world, Case.objects.get(pk=package.case_id), capture=django_capture_on_commit_callbacks)

    assert (second.version, second.state) == (2, "ready") and second.pk != package.pk
    with zipfile.ZipFile(io.BytesIO(zip_bytes(second))) as packed:
        assert not any(name.endswith(".zip") for name in packed.namelist())  # the first package is not packed again
        verbs = [row["fields"]["verb"] for seg in json.loads(packed.read("journal.json"))["segments"] for row in seg["entries"] if "fields" in row]
    assert "rate" in verbs and "archive.package" in verbs


def test_a_build_that_cannot_read_a_file_fails_with_its_reason_and_can_be_asked_again(world, django_capture_on_commit_callbacks, monkeypatch):
    case = done_errand(world)

    def unreadable(blob):
        raise OSError("disk")

    monkeypatch.setattr(attachments, "open_blob", unreadable)
    failed = archived(world, case, capture=django_capture_on_commit_callbacks)
    assert (failed.state, failed.error) == ("failed", "读取案卷文件失败，请联系系统管理员")
    assert not JournalEntry.objects.filter(verb="archive.package").exists()
    monkeypatch.undo()
    again = archived(world, case, capture=django_capture_on_commit_callbacks)
    assert (again.pk, again.state, again.version) == (failed.pk, "ready", 1)


# ---- retention from the county's rule --------------------------------------------------------


def test_the_period_comes_from_the_countys_rule_item_first_then_kind_then_default(world, django_capture_on_commit_callbacks):
    case = done_errand(world)
    year = timezone.localtime(case.closed_at).year
    assert retention.retention_for(case, "ERRAND-office").years == retention.DEFAULT_YEARS
    retention.set_retention(world.county_admin, "errand", "", 30)
    assert retention.retention_for(case, "ERRAND-office").years == 30
    retention.set_retention(world.county_admin, "errand", "ERRAND-office", None, permanent=True)

    package = archived(world, case, capture=django_capture_on_commit_callbacks)

    assert (package.retention_years, package.retain_until, package.retention_label) == (None, None, "永久")
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(zip_bytes(package))).read("manifest.json"))
    assert manifest["retention"] == {"years": None, "label": "永久", "source": "本县规则：ERRAND-office"}
    RetentionRule.objects.filter(item_code="ERRAND-office").delete()
    assert retention.retention_for(case, "ERRAND-office").until(case.closed_at) == date(year + 30, 12, 31)


def test_retention_rules_are_checked_journaled_and_kept_to_the_administrators_county(world):
    for kwargs, field in ((dict(kind="nope", item_code="", years=10), "kind"), (dict(kind="errand", item_code="A B", years=10), "item_code"),
                          (dict(kind="errand", item_code="", years=0), "years"), (dict(kind="errand", item_code="", years="10"), "years"),
                          (dict(kind="errand", item_code="x" * 65, years=10), "item_code")):
        with pytest.raises(Rejected) as error:
            retention.set_retention(world.county_admin, **kwargs)
        assert field in error.value.fields
    with pytest.raises(Forbidden):
        retention.set_retention(world.leader_a, "errand", "", 10)
    assert not RetentionRule.objects.exists()
    rule = retention.set_retention(world.county_admin, "errand", "", 30)
    assert JournalEntry.objects.get(verb="settings.retention").data == {"kind": "errand", "item_code": "", "before": None, "after": "30年"}
    _, other_admin = make_other_county()
    with pytest.raises(NotFound):
        retention.remove_retention(other_admin, rule.pk)
    assert RetentionRule.objects.filter(pk=rule.pk).exists()


# ---- pages, API, command, jurisdiction -------------------------------------------------------


def test_another_township_sees_no_package_page_download_or_api(world, client, api, package):
    case_id = package.case_id
    with pytest.raises(NotFound):
        archive.archive_case(world.leader_b, package.case)
    with pytest.raises(NotFound):
        archive.get_package_for(world.leader_b, case_id, package.pk)
    assert not archive.packages_of_case_for(world.leader_b, case_id).exists()
    client.force_login(world.leader_b)
    for url in (f"/cases/{case_id}/archive/", f"/cases/{case_id}/archive/{package.pk}/zip/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/cases/{case_id}/archive/{package.pk}/verify/").status_code == 404
    for path in (f"/api/cases/{case_id}/archive", f"/api/cases/{case_id}/archive/packages"):
        assert api.as_("leader_b").get(path).status_code == 404
    assert api.as_("leader_b").post(f"/api/cases/{case_id}/archive").status_code == 404


def test_the_api_archives_lists_and_streams_the_zip(world, api, django_capture_on_commit_callbacks):
    case = done_errand(world)
    assert api.as_("leader_a").get(f"/api/cases/{case.pk}/archive").status_code == 404  # nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        asked = api.as_("leader_a").post(f"/api/cases/{case.pk}/archive")
    assert asked.status_code == 202 and asked.json()["version"] == 1
    listed = api.get(f"/api/cases/{case.pk}/archive/packages").json()
    assert listed[0]["state"] == "ready" and listed[0]["retention"] == "10年"
    response = api.get(f"/api/cases/{case.pk}/archive")
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/zip" and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    assert listed[0]["manifest_sha256"] == ArchivePackage.objects.get(case=case).sha256 and archive.verify_package(content) == []
    refused = api.as_("clerk_a").post(f"/api/cases/{case.pk}/archive")
    assert refused.status_code == 403 and refused.json()["message"] == "只有领导和调度员可以归档"
    open_case = make_errand(world).case
    assert api.as_("leader_a").post(f"/api/cases/{open_case.pk}/archive").json()["code"] == "archive.case_open"


def test_the_case_archive_page_archives_shows_the_state_downloads_and_verifies(world, client, django_capture_on_commit_callbacks):
    case = done_errand(world)
    client.force_login(world.leader_a)
    page = client.get(f"/cases/{case.pk}/archive/").content.decode()
    assert "尚未归档" in page and 'data-testid="archive-button"' in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/{case.pk}/archive/").status_code == 302
    package = ArchivePackage.objects.get(case=case)
    page = client.get(f"/cases/{case.pk}/archive/").content.decode()
    assert "已归档" in page and package.sha256 in page and f"保管至 {package.retain_until:%Y-%m-%d}" in page
    download = client.get(f"/cases/{case.pk}/archive/{package.pk}/zip/")
    assert download["Content-Type"] == "application/zip" and archive.verify_package(b"".join(download.streaming_content)) == []
    checked = client.post(f"/cases/{case.pk}/archive/{package.pk}/verify/").content.decode()
    assert "校验通过" in checked
    client.force_login(world.clerk_a)
    assert 'data-testid="archive-button"' not in client.get(f"/cases/{case.pk}/archive/").content.decode()
    refused = client.post(f"/cases/{case.pk}/archive/")
    assert refused.status_code == 403 and "只有领导和调度员可以归档" in refused.content.decode()


def test_the_county_administrator_sets_a_period_on_the_console_page(world, client):
    client.force_login(world.county_admin)
    assert "本县尚未设置" in client.get("/console/archive/").content.decode()
    assert client.post("/console/archive/", {"kind": "errand", "item_code": "", "years": "30"}).status_code == 302
    rule = RetentionRule.objects.get()
    assert (rule.kind, rule.item_code, rule.years, rule.county) == ("errand", "", 30, world.county)
    bad = client.post("/console/archive/", {"kind": "errand", "item_code": "", "years": "0"}).content.decode()
    assert "保管年限须为1至100之间的整数，或选择永久" in bad
    assert client.post("/console/archive/", {"remove": str(rule.pk)}).status_code == 302 and not RetentionRule.objects.exists()
    client.force_login(world.leader_a)
    assert client.get("/console/archive/").status_code == 403


def test_the_command_verifies_a_package_and_names_what_differs(package, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "pkg.zip"
    path.write_bytes(zip_bytes(package))
    out = io.StringIO()
    call_command("archive", "verify", str(path), stdout=out)
    assert "通过" in out.getvalue()
    folder = unzip(path.read_bytes(), tmp_path / "pkg")
    (folder / "case.json").write_text("{}", "utf-8")
    path.write_bytes(rezip(folder))
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("archive", "verify", str(path), stderr=err)
    assert "文件已被改动(SHA-256或大小与清单不符)：case.json" in err.getvalue()
    assert archive.verify_package(b"not a zip") == ["不是有效的ZIP归档包"]


@pytest.mark.parametrize("manifest", [b"[]", b'{"files": [1], "journal": 2}', b'{"files": [{"path": "../etc/passwd"}]}', "\ufeff{".encode()])
def test_a_malformed_manifest_is_a_problem_not_a_crash(manifest):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("manifest.json", manifest)
    problems = archive.verify_package(buffer.getvalue())
    assert problems and all(isinstance(problem, str) for problem in problems)


def test_of_two_workers_building_one_package_only_the_first_registers_it(world, django_capture_on_commit_callbacks, monkeypatch):
    case = done_errand(world)
    package = archive.archive_case(world.leader_a, case)  # pending; its job not run (no commit here)
    real = archive._write_zip

    def other_worker_finishes_meanwhile(package, spool):
        built = real(package, spool)
        ArchivePackage.objects.filter(pk=package.pk).update(state="ready")  # the other worker committed first
        return built

    monkeypatch.setattr(archive, "_write_zip", other_worker_finishes_meanwhile)
    archive.build_package(package.pk)

    assert not JournalEntry.objects.filter(verb="archive.package").exists()
    assert ArchivePackage.objects.get(pk=package.pk).attachment is None
    assert archive.build_package(package.pk).state == "ready"  # a finished package is left alone


def test_the_archive_page_runs_the_same_queries_for_one_package_or_three(world, client, package):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.leader_a)
    url = f"/cases/{package.case_id}/archive/"

    def count() -> int:
        client.get(url)  # warm the per-user caches alike for both counts
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = count()
    for version in (2, 3):
        ArchivePackage.objects.create(case=package.case, version=version, state="failed", error="磁盘已满", created_by=world.leader_a)
    assert count() == one


def test_a_kinds_timeline_links_its_archive_page_once_archived(world, client, django_capture_on_commit_callbacks):
    from zhenjie.tasks import actions as task_actions

    task = make_task(world)
    task_actions.acknowledge_task(world.clerk_a, task)
    task_actions.report_task(world.clerk_a, task, "已排查")
    task_actions.close_task(world.leader_a, task)
    with django_capture_on_commit_callbacks(execute=True):
        archive.archive_case(world.leader_a, Case.objects.get(pk=task.case_id), may=lambda actor, case: None)  # tasks declare no rule yet
    client.force_login(world.leader_a)
    page = client.get(f"/tasks/{task.case_id}/").content.decode()
    assert f'href="/cases/{task.case_id}/archive/" data-testid="archive-link"' in page
