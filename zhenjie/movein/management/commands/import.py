"""manage.py import KIND FILE [--apply] [--remove] [--county CODE]

Prints what the file would do (new, changed field by field, removed) and writes nothing; with
--apply writes it, all or nothing, journaled as the platform. A refused file prints every bad
cell (row, column, reason), optionally writes the error report (--report FILE.xlsx) and exits 1.
The same functions as the staff page (movein/actions.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhenjie.kernel.errors import ActionError
from zhenjie.movein import actions
from zhenjie.movein.files import MAX_FILE_BYTES, error_report
from zhenjie.movein.kinds import KINDS


class Command(BaseCommand):
    help = "迁入：导入行政区划、机构、人员岗位等文件(默认只预览，--apply 才写入)"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument("--apply", action="store_true", help="写入(默认只预览)")
        parser.add_argument("--remove", action="store_true", help="同时删除/停用文件中没有的记录")
        parser.add_argument("--county", default="", help="县(市、区)12位区划代码；系统中只有一个县时可省略")
        parser.add_argument("--report", default="", help="文件被拒绝时，把错误报告写到这个 .xlsx")

    def handle(self, *args, kind, file, apply, remove, county, report, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        if path.stat().st_size > MAX_FILE_BYTES * 5:
            raise CommandError("文件过大")
        try:
            plan, written = actions.run_command_import(kind, path.read_bytes(), path.name, apply=apply, remove=remove, county_code=county)
        except ActionError as error:
            if isinstance(error, actions.ImportRefused):
                plan = error.plan
            else:
                raise CommandError(error.message) from None
        if plan.refused:
            self.stderr.write(f"文件被拒绝，发现{len(plan.errors)}处错误，未写入任何数据：")
            for e in plan.errors:
                self.stderr.write(f"  第{e.row}行\t{e.column or '-'}\t{e.reason}")
            if report:
                Path(report).write_bytes(error_report(plan.errors))
                self.stderr.write(f"错误报告已写入 {report}")
            raise CommandError("导入被拒绝", returncode=1)
        self.stdout.write(describe(plan, remove=remove))
        if written:
            self.stdout.write(self.style.SUCCESS("已写入。"))
        elif apply:
            self.stdout.write("没有需要写入的变化，未写入任何数据。")
        else:
            self.stdout.write("这是预览，未写入任何数据；确认无误后加 --apply 写入。")


def describe(plan, *, remove: bool) -> str:
    lines = [f"新增 {len(plan.new)}，修改 {len(plan.changed)}，文件中没有(可删除) {len(plan.removed)}"]
    for title, changes in (("新增", plan.new), ("修改", plan.changed), ("文件中没有", plan.removed)):
        for change in changes:
            lines.append(f"{title}\t{change.label}")
            if title == "修改":
                lines += [f"\t\t{f.header}：{f.old} → {f.new}" for f in change.fields]
    if plan.removed and not remove:
        lines.append("(未加 --remove：文件中没有的记录不会删除或停用)")
    lines += [f"提示：{note}" for note in plan.notes]
    return "\n".join(lines)
