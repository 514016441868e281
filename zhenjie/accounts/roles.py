"""The roles a post can carry. Codes are stable identifiers (GLOSSARY.md); labels are what people read."""

from django.db import models


class RoleCode(models.TextChoices):
    CITIZEN = "citizen", "群众"
    VILLAGE_AGENT = "village_agent", "村代办员"
    GRID_WORKER = "grid_worker", "网格员"
    WINDOW_CLERK = "window_clerk", "窗口受理人员"
    BACK_OFFICE_HANDLER = "back_office_handler", "后台审批人员"
    DISPATCHER = "dispatcher", "指挥中心调度员"
    ENFORCEMENT_OFFICER = "enforcement_officer", "执法人员"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核人员"
    MEDIATOR = "mediator", "调解员"
    PETITION_OFFICER = "petition_officer", "信访工作人员"
    STATIONED_OFFICER = "stationed_officer", "派驻机构工作人员"
    TOWNSHIP_LEADER = "township_leader", "乡镇(街道)领导"
    DEPARTMENT_LIAISON = "department_liaison", "部门联络员"
    # 本行政机关负责人 of a county department (行政许可法 Art. 42: approves its extensions).
    DEPARTMENT_LEADER = "department_leader", "部门负责人"
    COUNTY_ADMIN = "county_admin", "县级管理员(编办)"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "安全审计员"


# 三权分立: system, security and audit administration are held by different people, so that no
# one can both change the system and erase the trace of it.
SEPARATED_ADMIN_ROLES = frozenset({RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN})

# Everything else a staff post can carry: casework and the county's own settings (编办). 三权分立
# (等保 8.1.4.2 d, 8.1.5): no one holds one of the administrator roles and one of these.
BUSINESS_ROLES = frozenset(RoleCode) - SEPARATED_ADMIN_ROLES - {RoleCode.CITIZEN}

# What a stand-in (AB岗) may act in for the absent person: casework only. The administrators'
# roles are never lent (三权分立), nor the county's settings and files (编办's county
# administrator: area changes, imports) — a period covers someone's inbox, not their authority
# over the tree and the roster.
LENDABLE_ROLES = BUSINESS_ROLES - {RoleCode.COUNTY_ADMIN}

# Roles whose holders work on cases inside an area: their post needs a jurisdiction. A
# department's liaison and head act on what is sent to the department, wherever it lies.
AREA_ROLES = frozenset(RoleCode) - SEPARATED_ADMIN_ROLES - {RoleCode.CITIZEN, RoleCode.DEPARTMENT_LIAISON, RoleCode.DEPARTMENT_LEADER}

# Who runs a township's command centre (指挥中心): its dispatchers, and the township's leaders.
COMMAND = frozenset({RoleCode.DISPATCHER, RoleCode.TOWNSHIP_LEADER})
