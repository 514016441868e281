"""The staff navigation: one entry per domain. A domain appears as a live link once its app is
installed and the user holds a role it serves; domains still to come are listed, greyed, so
people can see what the platform will hold."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from zhenjie.accounts.roles import RoleCode as R


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    url_name: str
    roles: frozenset[str] = frozenset()  # empty: every staff member

    def url(self) -> str | None:
        return _reversed(self.url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=512)
def _reversed(url_name: str, script_prefix: str, urlconf) -> str | None:
    # Every staff page draws the menu: its two dozen URLs are the same for every request under
    # one prefix and URLconf, so each is worked out once per process (issue 11), not per page.
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


# 便民服务一窗口 by role (issue 15): the front desk files and accepts, the back office (or the
# deciding department's liaison) decides, the hall calls numbers, agent points are managed by the
# township's window clerks and leaders, the agent sees their own point, the county sets the rules.
WINDOW_FRONT = frozenset({R.WINDOW_CLERK, R.VILLAGE_AGENT})
WINDOW_BACK = frozenset({R.BACK_OFFICE_HANDLER, R.DEPARTMENT_LIAISON, R.DEPARTMENT_LEADER})
WINDOW_HALL = frozenset({R.WINDOW_CLERK, R.TOWNSHIP_LEADER})
WINDOW_READERS = WINDOW_FRONT | WINDOW_BACK | frozenset({R.TOWNSHIP_LEADER, R.COUNTY_ADMIN})
WINDOW_POINTS = frozenset({R.WINDOW_CLERK, R.TOWNSHIP_LEADER, R.COUNTY_ADMIN})  # window.points.MANAGERS
WINDOW_FIGURES = frozenset({R.WINDOW_CLERK, R.TOWNSHIP_LEADER, R.COUNTY_ADMIN})
# 综合执法一队伍 (issue 16): the officers run cases, the legal reviewers and the leaders read them.
ENFORCEMENT_READERS = frozenset({R.ENFORCEMENT_OFFICER, R.LEGAL_REVIEWER, R.TOWNSHIP_LEADER})
ENFORCEMENT_OFFICERS = frozenset({R.ENFORCEMENT_OFFICER})
# The officers' certificates: the team and its reviewers read them, the county and townships keep them.
ENFORCEMENT_OFFICERS_PAGE = frozenset({R.ENFORCEMENT_OFFICER, R.LEGAL_REVIEWER, R.TOWNSHIP_LEADER, R.COUNTY_ADMIN})


SECTIONS: list[tuple[str, list[NavItem]]] = [
    (
        "工作",
        [
            NavItem("工作台", "speedometer2", "workbench:home"),
            NavItem("我的待办", "inbox", "workbench:inbox"),
            NavItem("交办件", "send-check", "tasks:list"),
            NavItem("12345工单导入", "telephone-inbound", "integrations:hotline_imports", frozenset({R.DISPATCHER, R.COUNTY_ADMIN})),
            NavItem("消息", "bell", "workbench:notifications"),
        ],
    ),
    (
        "业务",
        [
            NavItem("清单管理", "journal-text", "lists:home"),
            NavItem("镇村治理一张网", "grid-3x3", "grid:home"),
            NavItem("指挥调度一中心", "broadcast", "events:home"),
            NavItem("和为贵矛盾调处", "people", "disputes:home"),
            NavItem("准入与减负", "funnel", "duties:home"),
            NavItem("机构编制", "diagram-3", "staffing:home"),
            NavItem("双向考核", "bar-chart-line", "assessment:home"),
            NavItem("研判预警", "activity", "dashboard:analysis"),
            NavItem("每月一题", "lightbulb", "topics:home"),
            NavItem("指挥大屏", "display", "dashboard:home"),
        ],
    ),
    (
        "便民服务",
        [
            NavItem("办件", "window-stack", "window:home", WINDOW_READERS),
            NavItem("受理队列", "inboxes", "window:queue", WINDOW_FRONT),
            NavItem("待审批", "clipboard-check", "window_backoffice:queue", WINDOW_BACK),
            NavItem("大厅叫号", "megaphone", "window_hall:home", WINDOW_HALL),
            NavItem("村级代办点", "house-door", "window:agent_points", WINDOW_POINTS),
            NavItem("我的代办点", "phone", "window:agent_home", frozenset({R.VILLAGE_AGENT})),
            NavItem("办件统计", "graph-up", "window:figures", WINDOW_FIGURES),
            NavItem("窗口设置", "sliders2", "window:settings", frozenset({R.COUNTY_ADMIN})),
        ],
    ),
    (
        "综合执法",
        [
            NavItem("执法案件", "shield-check", "enforcement:home", ENFORCEMENT_READERS),
            NavItem("执法待办", "list-check", "enforcement:queue", ENFORCEMENT_READERS),
            NavItem("登记线索", "plus-square", "enforcement:new", ENFORCEMENT_OFFICERS),
            NavItem("执法人员与执法证", "person-vcard", "enforcement_officers:list", ENFORCEMENT_OFFICERS_PAGE),
            NavItem("裁量基准", "sliders", "enforcement_benchmarks:list", ENFORCEMENT_OFFICERS_PAGE),
            NavItem("执法统计", "bar-chart", "enforcement:figures", ENFORCEMENT_READERS | {R.COUNTY_ADMIN}),
            NavItem("执法设置", "sliders2", "enforcement:settings", frozenset({R.COUNTY_ADMIN})),
            NavItem("案件移送", "send", "enforcement_transfers:list", ENFORCEMENT_READERS | {R.DEPARTMENT_LIAISON}),
            NavItem("联合执法", "people", "enforcement_joint:list", ENFORCEMENT_READERS | {R.DEPARTMENT_LIAISON}),
        ],
    ),
    (
        "基础",
        [
            NavItem("行政区划", "geo-alt", "workbench:areas"),
            NavItem("机构通讯录", "building", "workbench:units"),
        ],
    ),
    (
        "管理",
        [
            NavItem("迁入(数据导入)", "box-arrow-in-down", "movein:home", frozenset({R.COUNTY_ADMIN, R.SYSTEM_ADMIN})),
            NavItem("节假日与工作日", "calendar3", "workbench:calendar", frozenset({R.COUNTY_ADMIN})),
            NavItem("事件类别与指挥中心设置", "sliders", "events:settings", frozenset({R.COUNTY_ADMIN})),
            NavItem("区划调整", "signpost-split", "workbench:area_changes", frozenset({R.COUNTY_ADMIN})),
            NavItem("督办设置", "alarm", "workbench:supervision", frozenset({R.COUNTY_ADMIN})),
            NavItem("文书模板", "file-earmark-text", "workbench:document_templates", frozenset({R.COUNTY_ADMIN})),
            NavItem("归档保管期限", "archive", "workbench:retention", frozenset({R.COUNTY_ADMIN})),
            NavItem("外部接入", "plug", "integrations:keys", frozenset({R.COUNTY_ADMIN})),
            NavItem("12345结果回传", "send", "integrations:hotline_answers", frozenset({R.COUNTY_ADMIN})),
            NavItem("人员与岗位", "person-badge", "workbench:users", frozenset({R.SYSTEM_ADMIN})),
            NavItem("消息发送情况", "envelope-exclamation", "workbench:deliveries", frozenset({R.SYSTEM_ADMIN})),
            NavItem("安全策略", "lock", "workbench:security", frozenset({R.SECURITY_ADMIN})),
            NavItem("管理员岗位", "shield-check", "workbench:admins", frozenset({R.SECURITY_ADMIN})),
            NavItem("审计与留痕", "journal-check", "workbench:journal", frozenset({R.AUDIT_ADMIN})),
        ],
    ),
]


def sections_for(roles: frozenset[str], current_path: str) -> list[dict]:
    result = []
    for title, items in SECTIONS:
        entries = []
        for item in items:
            if item.roles and not item.roles & roles:
                continue
            entries.append({"label": item.label, "icon": item.icon, "url": item.url(), "active": False})
        if entries:
            result.append({"title": title, "items": entries})
    _mark_active(result, current_path)
    return result


def _mark_active(sections: list[dict], current_path: str) -> None:
    """The entry whose URL is the longest prefix of the path is the active one: /window/queue/
    marks 受理队列, not 办件 at /window/ as well."""
    matching = [
        entry for section in sections for entry in section["items"]
        if entry["url"] and (current_path == entry["url"] or (entry["url"] != "/" and current_path.startswith(entry["url"])))
    ]  # fmt: skip
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
