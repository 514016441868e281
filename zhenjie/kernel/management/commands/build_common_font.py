from django.core.management.base import BaseCommand

from zhenjie.kernel.documents import common_font, pdf


class Command(BaseCommand):
    help = "从文书字体生成常用字子集(GB 2312 汉字与常用符号)，供只含常用字的文书更快生成 PDF"

    def handle(self, *args, **options):
        count = common_font.build(pdf.FONT_FILE, pdf.COMMON_FONT_FILE)
        size = pdf.COMMON_FONT_FILE.stat().st_size
        self.stdout.write(f"已生成 {pdf.COMMON_FONT_FILE.name}：{count} 个字符，{size:,} 字节")
