import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from zhenjie.kernel import anchors, journal


class Command(BaseCommand):
    help = (
        "全过程记录：verify 校验哈希链、链头校验码，并与最近的锚点比对(发现被改动、删除、截断的记录时列出每条链的第一处断裂并以非零状态退出)；"
        "anchor 把各链的链头写入数据库之外的锚点文件(并发送到配置的接收方)"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument("--chain", help="只校验这一条链")
        parser.add_argument("--anchor", dest="anchor_file", help="与这个锚点文件比对(默认：锚点目录中最新的一个)")
        parser.add_argument("--no-anchor", action="store_true", help="只校验链本身，不与锚点比对")

    def handle(self, *args, action, chain=None, anchor_file=None, no_anchor=False, **options):
        if action == "anchor":
            return self.anchor()
        anchor = None
        if not no_anchor:
            try:
                anchor = anchors.load(Path(anchor_file)) if anchor_file else anchors.latest()
            except anchors.AnchorInvalid as error:
                self.stderr.write(f"断裂：{error}")
                self.stderr.write("全过程记录校验失败：锚点文件不可信")
                sys.exit(1)
        breaks = journal.verify(chain, anchor=anchor)
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
        against = f"，与锚点 {anchor.name}({anchor.made_at}) 相符" if anchor else "(尚无锚点可比对)" if not no_anchor else ""
        self.stdout.write(self.style.SUCCESS(f"全过程记录完好：{heads.count()} 条链，共 {total} 条记录{against}"))

    def anchor(self):
        path = anchors.write_anchor()
        written = anchors.load(path)
        self.stdout.write(self.style.SUCCESS(f"已写入锚点 {path}：{len(written.chains)} 条链，共 {written.entries} 条记录"))
        if settings.JOURNAL_ANCHOR_URL:
            try:
                anchors.send(path)
            except OSError as error:
                self.stderr.write(f"锚点已写入，但发送到 {settings.JOURNAL_ANCHOR_URL} 失败：{error}")
                sys.exit(1)
            self.stdout.write(f"已发送到 {settings.JOURNAL_ANCHOR_URL}")
