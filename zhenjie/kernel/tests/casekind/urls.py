"""The site's URLs and the errand's two pages (the test settings' ROOT_URLCONF): a detail page
and the kit's act view — all a kind adds to zhenjie/urls.py."""

from django.urls import include, path

from zhenjie.urls import urlpatterns as site
from zhenjie.workbench.kit import act
from zhenjie.workbench.views import staff_required

from .kit import get_errand_for, render_detail


@staff_required
def errand_detail(request, case_id: int):
    return render_detail(request, get_errand_for(request.user, case_id))


errand_pages = [
    path("<id:case_id>/", errand_detail, name="detail"),
    path("<id:case_id>/<slug:transition>/", act, {"kind": "errands"}, name="act"),
]
urlpatterns = [*site, path("errands/", include((errand_pages, "errands")))]
