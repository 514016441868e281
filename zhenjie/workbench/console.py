"""Administration pages, one per administrator role: the county administrator keeps the holiday
calendar and the supervision settings (the warning period, a call's response time); the system
administrator people and posts; the security administrator the lock-out and session policy; the
audit administrator reads and verifies the journal (三权分立)."""

import calendar as month_calendar
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from zhenjie.accounts import actions as account_actions
from zhenjie.accounts.credentials import reset_password
from zhenjie.accounts.login import counted_failures
from zhenjie.accounts.models import Post, User
from zhenjie.accounts.policy import current_policy
from zhenjie.accounts.queries import active_posts_prefetch, people_administered_by
from zhenjie.accounts.roles import BUSINESS_ROLES, SEPARATED_ADMIN_ROLES, RoleCode
from zhenjie.areas.models import Area
from zhenjie.kernel import auditing, holidays, supervision
from zhenjie.kernel import journal as journal_chains
from zhenjie.kernel.calendar import PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR, current_calendar
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.models import CalendarDay, CalendarYear, JournalEntry
from zhenjie.kernel.scoping import administered_county, paths_q, reach_of
from zhenjie.units.models import Unit

from .console_forms import AreaChangeForm, CalendarDayForm, ConfirmYearForm, PolicyForm, PostForm, StaffForm, SupervisionForm
from .paging import paginate, query_without_page
from .views import staff_required


def role_required(role: str):
    def decorate(view):
        @staff_required
        def wrapped(request, *args, **kwargs):
            if role not in reach_of(request.user).roles:
                raise PermissionDenied("您没有访问该页面的权限")
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        return wrapped

    return decorate


# ---- 节假日与工作日 (county administrator) -------------------------------------------------


def _months(year: int):
    """Twelve month grids with each day's status, for drawing the year at a glance."""
    cal = current_calendar()
    weeks_of = month_calendar.Calendar(firstweekday=0).monthdatescalendar
    months = []
    for month in range(1, 13):
        weeks = []
        for week in weeks_of(year, month):
            weeks.append(
                [
                    {
                        "day": d, "in_month": d.month == month, "workday": cal.is_workday(d),
                        "weekend": d.weekday() >= 5, "name": cal.day_name(d),
                    }
                    for d in week
                ]
            )
        months.append({"number": month, "weeks": weeks})
    return months


@role_required(RoleCode.COUNTY_ADMIN)
def calendar_page(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2099)
    day_form, year_form = CalendarDayForm(prefix="day"), ConfirmYearForm(prefix="year", initial={"year": year})
    if request.method == "POST":
        try:
            if "day-date" in request.POST:
                day_form = CalendarDayForm(request.POST, prefix="day")
                if day_form.is_valid():
                    data = day_form.cleaned_data
                    holidays.set_calendar_day(request.user, data["date"], data["kind"], data["name"])
                    messages.success(request, f"已登记 {data['date']:%Y-%m-%d}")
                    return redirect(f"{request.path}?year={data['date'].year}")
            elif "remove" in request.POST:
                day = date.fromisoformat(request.POST["remove"])
                holidays.remove_calendar_day(request.user, day)
                messages.success(request, f"已撤销 {day:%Y-%m-%d} 的调整")
                return redirect(f"{request.path}?year={day.year}")
            else:
                year_form = ConfirmYearForm(request.POST, prefix="year")
                if year_form.is_valid():
                    holidays.confirm_calendar_year(request.user, year_form.cleaned_data["year"], year_form.cleaned_data["source"])
                    messages.success(request, f"已确认{year_form.cleaned_data['year']}年节假日安排，相关办理期限将重新计算")
                    return redirect(f"{request.path}?year={year_form.cleaned_data['year']}")
        except ValueError:
            messages.error(request, "日期格式不正确")
        except ActionError as error:
            target = day_form if "day-date" in request.POST else year_form
            target.add_action_error(error, request)
    cal = current_calendar()
    context = {
        "year": year,
        "known": cal.is_known_year(year),
        "from_package": PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR,
        "confirmed": CalendarYear.objects.filter(year=year).first(),
        "next_year_unknown": not cal.is_known_year(today.year + 1),
        "next_year": today.year + 1,
        "entries": CalendarDay.objects.filter(date__year=year).order_by("date"),
        "months": _months(year),
        "day_form": day_form,
        "year_form": year_form,
        "package_years": f"{PACKAGE_FIRST_YEAR}–{PACKAGE_LAST_YEAR}",
        "workdays": sum(1 for m in range(1, 13) for d in range(1, month_calendar.monthrange(year, m)[1] + 1) if cal.is_workday(date(year, m, d))),
    }
    return render(request, "workbench/console_calendar.html", context)


# ---- 督办设置 (county administrator) ------------------------------------------------------


@role_required(RoleCode.COUNTY_ADMIN)
def supervision_page(request):
    county = administered_county(request.user, refuse=("settings.not_allowed", "只有县级管理员可以修改设置"))
    policy = supervision.policy_for(county)
    form = SupervisionForm(initial={field: getattr(policy, field) for field in SupervisionForm.base_fields}, county=county)
    if request.method == "POST":
        form = SupervisionForm(request.POST, county=county)
        try:
            if form.is_valid():
                supervision.update_policy(request.user, **form.cleaned_data)
                messages.success(request, "督办设置已保存")
                return redirect(request.path)
        except ActionError as error:
            form.add_action_error(error)
    return render(request, "workbench/console_supervision.html", {"form": form, "county": county, "policy": policy})


# ---- 区划调整 (county administrator) ----------------------------------------------------------


@role_required(RoleCode.COUNTY_ADMIN)
def area_changes_page(request):
    """Register an area change (rename, merge, move) and read the county's changes."""
    from zhenjie.areas import changes as area_changes
    from zhenjie.areas import queries as area_queries

    areas = area_queries.changeable_areas_for(request.user, area_changes.ADMINISTRATORS)
    form = AreaChangeForm(areas=areas, initial={"effective_on": timezone.localdate()})
    if request.method == "POST":
        form = AreaChangeForm(request.POST, areas=areas)
        try:
            if form.is_valid():
                data = form.cleaned_data
                change = area_changes.register_area_change(request.user, area_changes.ChangeRequest(**data))
                done = "已生效" if change.state == change.State.APPLIED else f"已登记，将于{change.effective_on:%Y-%m-%d}生效"
                messages.success(request, f"区划调整{done}：{area_changes.describe(change)}")
                return redirect(request.path)
        except ActionError as error:
            form.add_action_error(error)
    page = paginate(request, area_queries.area_changes_for(request.user), per_page=30)
    return render(request, "workbench/console_area_changes.html", {"form": form, "page": page, "query": query_without_page(request)})


# ---- 人员与岗位 (system administrator) -----------------------------------------------------


@role_required(RoleCode.SYSTEM_ADMIN)
def users_page(request):
    """People and business posts. The system administrator sees and seats only the business side
    of their jurisdiction; the three administrators are the security administrator's (三权分立)."""
    return _posts_page(request, RoleCode.SYSTEM_ADMIN, "workbench/console_users.html", BUSINESS_ROLES)


@role_required(RoleCode.SECURITY_ADMIN)
def admins_page(request):
    """The system, security and audit administrators' posts: only the security administrator
    seats or removes them, never their own (等保 8.1.4.2 c/d)."""
    return _posts_page(request, RoleCode.SECURITY_ADMIN, "workbench/console_admins.html", SEPARATED_ADMIN_ROLES)


def _posts_page(request, role: str, template: str, offered: frozenset[str]):
    search = request.GET.get("q", "").strip()[:50]
    roots = account_actions.administered_roots(request.user, role)
    units = Unit.objects.filter(paths_q(roots, "area__path"))
    areas = Area.objects.filter(paths_q(roots))
    people = people_administered_by(request.user, role).prefetch_related(active_posts_prefetch()).order_by("username")
    if search:
        people = people.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    choices = [(code, label) for code, label in RoleCode.choices if code in offered]

    def post_form_for(data=None):
        form = PostForm(data, prefix="post", initial={"username": request.GET.get("grant", "")[:150]})
        form.fields["unit"].queryset = units.select_related("area").order_by("area__path", "sort_order")
        form.fields["jurisdiction"].queryset = areas.exclude(level="grid").order_by("path")
        form.fields["roles"].choices = choices
        return form

    staff_form = StaffForm(prefix="staff") if role == RoleCode.SYSTEM_ADMIN else None
    post_form = post_form_for()
    if request.method == "POST":
        try:
            if "staff-username" in request.POST and staff_form is not None:
                staff_form = StaffForm(request.POST, prefix="staff")
                if staff_form.is_valid():
                    user = account_actions.create_staff(request.user, **staff_form.cleaned_data)
                    messages.success(request, f"已新增人员 {user.display_name}，请为其设置岗位")
                    return redirect(f"{request.path}?q={user.username}")
            elif "reset_password" in request.POST:
                # Only people this administrator looks after; the new password is shown on this
                # answer once and kept nowhere (not in a message, which the session would store).
                target = people_administered_by(request.user, role).get(username=request.POST["reset_password"].strip()[:150])
                new_password = reset_password(request.user, target)
                context = {"page": paginate(request, people), "search": search, "staff_form": staff_form, "post_form": post_form,
                           "query": query_without_page(request), "reset": {"person": target, "password": new_password}}
                return render(request, template, context)
            elif "end_post" in request.POST:
                post = Post.objects.select_related("user", "unit").get(pk=parse_id(request.POST["end_post"]) or 0, unit__in=units)
                account_actions.end_post(request.user, post)
                messages.success(request, f"已免去 {post.user.display_name} 的 {post}")
                return redirect(request.get_full_path())
            else:
                post_form = post_form_for(request.POST)
                if post_form.is_valid():
                    data = post_form.cleaned_data
                    # Only people this administrator looks after: not themself, not the other side.
                    target = people_administered_by(request.user, role).get(username=data["username"].strip())
                    area = data["jurisdiction"]
                    if data["jurisdiction_code"]:
                        area = areas.filter(code=data["jurisdiction_code"].strip()).first()
                        if area is None:
                            raise ActionError("post.jurisdiction_unknown", "辖区代码不存在或不在您的管理范围内", field="jurisdiction_code")
                    account_actions.grant_post(request.user, user=target, unit=data["unit"], title=data["title"], roles=data["roles"], jurisdiction=area)
                    messages.success(request, f"已为 {target.display_name} 设置岗位")
                    return redirect(f"{request.path}?q={target.username}")
        except Post.DoesNotExist:
            messages.error(request, "岗位不存在，或不在您的管理范围内")
        except User.DoesNotExist:
            if "reset_password" in request.POST:
                messages.error(request, "没有这个人员，或不在您的管理范围内")
            else:
                post_form.add_error("username", "没有这个用户名的工作人员，或不在您的管理范围内")
        except ValueError:
            messages.error(request, "请求格式不正确")
        except ActionError as error:
            form = staff_form if "staff-username" in request.POST and staff_form is not None else post_form
            form.add_action_error(error, request)
    page = paginate(request, people)
    context = {"page": page, "search": search, "staff_form": staff_form, "post_form": post_form, "query": query_without_page(request)}
    return render(request, template, context)


# ---- 安全策略 (security administrator) -----------------------------------------------------


@role_required(RoleCode.SECURITY_ADMIN)
def security_page(request):
    policy = current_policy()
    form = PolicyForm(initial={field: getattr(policy, field) for field in PolicyForm.FIELDS})
    if request.method == "POST":
        try:
            if "unlock" in request.POST:
                username, address = request.POST.get("unlock", ""), request.POST.get("address", "")
                account_actions.unlock_user(request.user, username, address)
                messages.success(request, f"已解锁 {username or address}")
                return redirect(request.path)
            form = PolicyForm(request.POST)
            if form.is_valid():
                account_actions.update_policy(request.user, **{f: form.cleaned_data[f] for f in PolicyForm.FIELDS})
                messages.success(request, "安全策略已保存")
                return redirect(request.path)
        except ActionError as error:
            form.add_action_error(error)
    rows = counted_failures()
    return render(request, "workbench/console_security.html", {"form": form, "rows": rows, "policy": policy})


# ---- 审计与留痕 (audit administrator) ------------------------------------------------------

ACCOUNT_VERBS = ("user.create", "post.grant", "post.end", "post.transfer", "user.handover", "standin.set", "standin.cancel")


@role_required(RoleCode.AUDIT_ADMIN)
def journal_page(request):
    entries = JournalEntry.objects.select_related("case").order_by("-id")
    chain = request.GET.get("chain", "").strip()[:32]
    verb = request.GET.get("verb", "").strip()[:32]
    actor = request.GET.get("actor", "").strip()[:32]
    topic = request.GET.get("topic", "")
    if topic == "accounts":
        # 等保 8.1.5.3: who created whom, who seated whom where, who removed whom.
        entries = entries.filter(chain=journal_chains.RULES_CHAIN, verb__in=ACCOUNT_VERBS)
    if chain:
        entries = entries.filter(chain=chain)
    if verb:
        entries = entries.filter(verb=verb)
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    # Each read and each verification is itself journaled (kernel.auditing, 等保 8.1.5.3).
    filters = {"topic": topic[:16], "chain": chain, "verb": verb, "actor": actor, "page": request.GET.get("page", "")[:10]}
    auditing.record_read(request.user, {key: value for key, value in filters.items() if value})
    breaks = None
    if request.method == "POST":
        breaks = auditing.verify_journal(request.user)
        if breaks:
            messages.error(request, f"校验发现 {len(breaks)} 条链被改动")
        else:
            messages.success(request, "全过程记录完好，哈希链校验通过")
    page = paginate(request, entries, per_page=50)
    context = {"page": page, "chain": chain, "verb": verb, "actor": actor, "topic": topic, "breaks": breaks, "query": query_without_page(request)}
    return render(request, "workbench/console_journal.html", context)

