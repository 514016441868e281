from django.urls import include, path

from zhenjie.api.core import api
from zhenjie.api import urls as _api_routes  # noqa: F401  (registers the routers)
from zhenjie.workbench import views as workbench_views

urlpatterns = [
    path("healthz", workbench_views.healthz, name="healthz"),
    path("sw.js", workbench_views.service_worker, name="service_worker"),  # root scope: the phone pages offline
    path("accounts/", include("zhenjie.accounts.urls")),
    path("api/", api.urls),
    path("tasks/", include("zhenjie.tasks.urls")),
    path("enforcement/benchmarks/", include("zhenjie.enforcement.urls_benchmarks")),  # 裁量基准 (before the app's own enforcement/)
    path("enforcement/officers/", include("zhenjie.enforcement.urls_officers")),  # 执法人员与执法证 (before the app's own enforcement/)
    path("enforcement/transfers/", include("zhenjie.enforcement.urls_transfers")),  # 案件移送 (part 8)
    path("enforcement/joint/", include("zhenjie.enforcement.urls_joint")),  # 联合执法 (part 8)
    path("window/backoffice/", include("zhenjie.window.urls_backoffice")),  # the back office's queue and clock
    path("window/", include("zhenjie.window.urls_hall")),  # the hall: numbers, counters, the hall screen
    path("window/", include("zhenjie.window.urls")),  # 便民服务一窗口
    path("events/calls/", include("zhenjie.calls.urls")),  # 乡呼县应, under the events' path users know
    path("events/", include("zhenjie.events.urls")),
    path("enforcement/", include("zhenjie.enforcement.urls")),  # 综合执法一队伍
    path("", include("zhenjie.dashboard.urls")),  # /dashboard/… and /analysis/…
    path("integrations/", include("zhenjie.integrations.urls")),
    path("open311/v2/", include("zhenjie.integrations.open311_views")),
    path("public/events/", include("zhenjie.events.portal_urls")),  # citizens report and follow (no login)
    path("public/window/", include("zhenjie.window.portal_urls")),  # 网上申请 (citizen accounts), progress by number + code
    path("", include("zhenjie.lists.urls")),  # /lists/ (staff) and /public/lists/ (no login)
    path("grid/", include("zhenjie.grid.urls")),
    path("topics/", include("zhenjie.topics.urls")),  # 每月一题
    path("public/topics/", include("zhenjie.topics.public_urls")),
    path("public/enforcement/", include("zhenjie.enforcement.public_urls")),  # 执法公示 (no login)
    path("console/movein/", include("zhenjie.movein.urls")),  # 迁入: a county's own files
    path("", include("zhenjie.workbench.urls")),
]
