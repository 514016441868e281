"""manage.py export KIND FILE [--county CODE]: the current data in exactly the import layout."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhenjie.kernel.errors import ActionError
from zhenjie.movein import actions
from zhenjie.movein.kinds import KINDS


class Command(BaseCommand):
    help = "迁入：按导入格式导出行政区划、机构、人员岗位等"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument("--county", default="", help="县(市、区)12位区划代码；系统中只有一个县时可省略")
        parser.add_argument("--template", action="store_true", help="只写空白模板(含一行示例)")

    def handle(self, *args, kind, file, county, template, **options):
        try:
            content, _, _ = actions.template_file(kind) if template else actions.export_file(None, kind, county_code=county)
        except ActionError as error:
            raise CommandError(error.message) from None
        Path(file).write_bytes(content)
        self.stdout.write(f"已写入 {file}")
