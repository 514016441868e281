from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhenjie.accounts.bootstrap import bootstrap_county
from zhenjie.accounts.login import INITIAL_PASSWORD_LIFETIME
from zhenjie.kernel.errors import ActionError


class Command(BaseCommand):
    help = (
        "在已迁移的空数据库上初始化一个县：建立县级区划和系统管理员、安全管理员、安全审计员三个账号，"
        "各打印一次性初始密码(首次登录须修改)。不建任何演示数据；只能执行一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county-code", required=True, help="县级区划代码(GB/T 2260 六位，或以000000结尾的十二位)")
        parser.add_argument("--county-name", required=True, help="县(市、区)名称，例如 某某县")
        parser.add_argument("--unit-name", default="", help="三名管理员所在机构的名称(默认「县名人民政府」)")

    def handle(self, *args, county_code, county_name, unit_name, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("初始化未执行：数据库尚未迁移到最新，请先执行 manage.py migrate")
        try:
            done = bootstrap_county(county_code=county_code, county_name=county_name, unit_name=unit_name)
        except ActionError as error:
            raise CommandError(f"初始化未执行：{error.message}") from None
        hours = int(INITIAL_PASSWORD_LIFETIME.total_seconds() // 3600)
        self.stdout.write(f"已初始化：{done.county.name}(区划代码 {done.county.code})，管理员所在机构：{done.unit.name}")
        self.stdout.write("")
        self.stdout.write("三名管理员的初始密码只显示这一次，请当面分别交给本人：")
        for login in done.logins:
            self.stdout.write(f"  {login.role_label:<8} 用户名 {login.username:<10} 初始密码 {login.password}")
        self.stdout.write("")
        self.stdout.write(
            f"首次登录须修改密码并绑定手机身份验证器(任一 TOTP 应用)；初始密码 {hours} 小时内未使用即失效，"
            "届时由安全管理员重置(见 docs/DEPLOYMENT.md)。"
        )
        self.stdout.write("下一步：系统管理员导入区划、网格、机构和人员(见 docs/OPERATIONS.md「迁入数据」)。")
