import sys

from django.core.management.base import BaseCommand

from zhenjie.kernel import journal


class Command(BaseCommand):
    help = "全过程记录：verify 校验哈希链，发现被改动或删除的记录时列出每条链的第一处断裂并以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--chain", help="只校验这一条链")

    def handle(self, *args, action, chain=None, **options):
        breaks = journal.verify(chain)
        if breaks:
            for found in breaks:
                self.stderr.write(f"断裂：{found}")
            self.stderr.write(f"全过程记录校验失败：{len(breaks)} 条链被改动")
            sys.exit(1)
        from zhenjie.kernel.models import JournalHead

        from zhenjie.kernel.scoping import unscoped

        heads = unscoped(JournalHead, why="the command reports on every chain")
        heads = heads if chain is None else heads.filter(chain=chain)
        total = sum(head.seq for head in heads)
        self.stdout.write(self.style.SUCCESS(f"全过程记录完好：{heads.count()} 条链，共 {total} 条记录"))
