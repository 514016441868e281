"""Documents (文书) on the staff side: the PDF of an issued document, for whoever may see its
case; and the county administrator's templates — list, edit, preview as PDF, back to default."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import documents
from zhenjie.kernel.documents.actions import templates_county
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.models import DocumentTemplate

from .console import role_required
from .console_forms import DocumentTemplateForm
from .views import staff_required


@staff_required
def document_pdf(request, pk: int):
    return documents.pdf_response(documents.get_document_for(request.user, pk))


def _county(request):
    try:
        return templates_county(request.user)
    except ActionError as error:
        raise PermissionDenied(error.message) from None


@role_required(RoleCode.COUNTY_ADMIN)
def template_list(request):
    county = _county(request)
    edited = {row.kind: row for row in DocumentTemplate.objects.filter(county=county).select_related("updated_by")}
    rows = [{"kind": kind, "template": edited.get(kind.code)} for kind in documents.registered_kinds()]
    return render(request, "workbench/document_templates.html", {"county": county, "rows": rows})


def _edit_page(request, county, kind, form, row, status=200):
    context = {"county": county, "kind": kind, "form": form, "template": row, "fields": kind.all_fields}
    return render(request, "workbench/document_template.html", context, status=status)


@role_required(RoleCode.COUNTY_ADMIN)
def template_edit(request, code: str):
    county, kind = _county(request), documents.kind_for(code)
    title, body, row = documents.template_for(county, kind)
    form = DocumentTemplateForm(initial={"title": title, "body": body, "version": row.version if row else None})
    if request.method == "POST":
        form = DocumentTemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                documents.save_template(request.user, kind.code, data["title"], data["body"], base_version=data["version"])
            except ActionError as error:
                form.add_action_error(error)
            else:
                messages.success(request, f"{kind.label}模板已保存，此后出具的{kind.label}使用新模板")
                return redirect("workbench:document_template", kind.code)
    return _edit_page(request, county, kind, form, row)


@role_required(RoleCode.COUNTY_ADMIN)
def template_preview(request, code: str):
    """The wording in the form (POST) or the one in force (GET), as a sample PDF."""
    county, kind = _county(request), documents.kind_for(code)
    title, body, row = documents.template_for(county, kind)
    form = DocumentTemplateForm(request.POST if request.method == "POST" else {"title": title, "body": body})
    if form.is_valid():
        try:
            content = documents.preview_template(request.user, kind.code, form.cleaned_data["title"], form.cleaned_data["body"])
        except ActionError as error:
            form.add_action_error(error)
        else:
            return documents.preview_response(content, f"{kind.label}（样稿）.pdf")
    return _edit_page(request, county, kind, form, row)


@require_POST
@role_required(RoleCode.COUNTY_ADMIN)
def template_reset(request, code: str):
    kind = documents.kind_for(code)
    try:
        documents.reset_template(request.user, kind.code)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{kind.label}模板已恢复为默认")
    return redirect("workbench:document_template", kind.code)
