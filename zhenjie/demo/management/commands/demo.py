import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from zhenjie.demo import build
from zhenjie.demo.progress import Progress
from zhenjie.enforcement.demo import build_enforcement
from zhenjie.events.demo import build_events
from zhenjie.grid.demo import build_grid
from zhenjie.topics.demo import build_topics
from zhenjie.lists.demo import build_lists
from zhenjie.window.demo import build_applications


class Command(BaseCommand):
    help = "建立虚构的演示县(青禾县)：区划、机构、人员岗位、交办件、清单、网格、近一年的事件和便民服务办件、各种状态的执法案件。可重复执行，已有数据不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument("--accounts", action="store_true", help="只打印演示账号，每行一个 JSON 对象")
        parser.add_argument(
            "--events", type=int, default=None, metavar="N",
            help=f"近一年的事件件数(默认 {settings.DEMO_EVENTS}；0 表示不建事件历史)",
        )
        parser.add_argument(
            "--applications", type=int, default=None, metavar="N",
            help=f"近一年的便民服务办件件数(默认 {settings.DEMO_APPLICATIONS}；0 表示不建办件历史)",
        )

    def handle(self, *args, accounts=False, events=None, applications=None, **options):
        if accounts:
            return self._print_accounts()
        progress = Progress(self.stdout)
        self.stdout.write("建立演示数据：青禾县(虚构)")
        with transaction.atomic():
            county = build.build_areas(progress)
            units = build.build_units(progress, county)
        build.build_people(progress, county, units)
        build.build_tasks(progress, units)
        build_lists(progress, county, units)
        build_grid(progress)
        build_events(progress, settings.DEMO_EVENTS if events is None else events)
        build_applications(progress, settings.DEMO_APPLICATIONS if applications is None else applications)
        build_enforcement(progress)
        build_topics(progress)
        self._print_logins()

    def _print_accounts(self):
        county, units = self._existing()
        for plan in build.account_plans(county, units):
            self.stdout.write(
                json.dumps(
                    {
                        "username": plan.username,
                        "password": build.DEMO_PASSWORD,
                        "roles": plan.roles,
                        "unit": plan.unit.name if plan.unit else "",
                        "area": plan.jurisdiction.name if plan.jurisdiction else "",
                    },
                    ensure_ascii=False,
                )
            )

    def _existing(self):
        """The demo county as built; builds it first if it is not there yet."""
        silent = Progress(open("/dev/null", "w"))  # noqa: SIM115
        with transaction.atomic():
            county = build.build_areas(silent)
            units = build.build_units(silent, county)
        return county, units

    def _print_logins(self):
        self.stdout.write("")
        self.stdout.write("演示账号(密码均为 %s)：" % build.DEMO_PASSWORD)
        rows = [
            ("liuwan.leader", "柳湾镇镇长(经济发达镇)"),
            ("liuwan.dispatcher", "柳湾镇指挥中心调度员"),
            ("liuwan.grid01", "柳湾镇网格员"),
            ("dongxi.leader", "东溪镇镇长"),
            ("dongxi.dispatcher", "东溪镇指挥中心调度员"),
            ("chengguan.window", "城关街道便民服务中心窗口"),
            ("chengguan.enforcer1", "城关街道综合执法队执法队员"),
            ("dept.police", "县公安局乡呼县应联络员"),
            ("county.admin", "县委编办(县级管理员)"),
            ("sysadmin / secadmin / auditor", "系统管理员 / 安全管理员 / 安全审计员"),
        ]
        for username, label in rows:
            self.stdout.write(f"  {username:<32} {label}")
        self.stdout.write("全部账号：python manage.py demo --accounts")
        self.stdout.write("系统/安全/审计管理员首次登录须绑定手机身份验证器(任一 TOTP 应用，离线可用)，其余账号只需密码。")
