import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhenjie.kernel.archive import verify_package


class Command(BaseCommand):
    help = "归档包：verify 校验一个归档包(ZIP)——每个文件的SHA-256、全过程记录的链接与哈希、清单与系统登记的SHA-256和校验码；有问题时逐条列出并以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("package", help="归档包ZIP文件的路径")

    def handle(self, *args, action, package, **options):
        path = Path(package)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        problems = verify_package(path)
        if problems:
            for problem in problems:
                self.stderr.write(f"问题：{problem}")
            self.stderr.write(f"归档包校验未通过：{len(problems)} 处问题")
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("通过：归档包完整，与系统登记相符"))
