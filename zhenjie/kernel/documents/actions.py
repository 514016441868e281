"""Issuing documents, and the county administrator's changes to their templates."""

import hashlib

from django.db import transaction
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_of
from zhenjie.units.models import Unit

from .. import attachments, journal, numbering
from ..errors import Conflict, Forbidden, NotFound
from ..models import Case, Document, DocumentTemplate
from ..scoping import administered_county, can_see_case
from . import pdf
from .kinds import DocumentKind, kind_for
from .placeholders import check_supplied, check_template, fill_body, fill_title, recorded_value


def template_for(county: Area | None, kind: DocumentKind) -> tuple[str, str, DocumentTemplate | None]:
    """The county's wording of the kind, or the kind's default: (title, body, row or None)."""
    row = DocumentTemplate.objects.filter(county=county, kind=kind.code).first() if county else None
    return (row.title, row.body, row) if row else (kind.default_title, kind.default_body, None)


def template_sha256(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def _recorded_fields(kind: DocumentKind, case: Case) -> dict[str, str]:
    wanted = {f.name for f in kind.fields if not f.supplied}
    found = kind.values(case)
    if set(found) != wanted:
        raise ValueError(f"document kind {kind.code!r}: values() gave {sorted(found)}, the kind declares {sorted(wanted)}")
    return {name: recorded_value(value) for name, value in found.items()}


@transaction.atomic
def issue_document(actor, case: Case, kind_code: str, extra: dict | None = None) -> Document:
    """Number, render and keep one document of `kind_code` for `case`, in one transaction.

    The number comes from the issuing unit's series for the year and is never given again:
    a rollback returns it unused, a second issue takes the next. The PDF is stored once under
    its SHA-256 and attached to the case; the entry in the case's journal links to it. What
    the issuer supplied (`extra`) is refused field by field when it cannot be printed; text
    from the records prints, with characters the font lacks written as [U+XXXX]."""
    kind = kind_for(kind_code)
    if not can_see_case(actor, case):
        raise NotFound("case.not_found", "事项不存在或不在您的辖区内")
    if not kind.may_issue(actor, case):
        raise Forbidden("document.not_allowed", kind.forbidden_message or f"您没有出具{kind.label}的权限")
    supplied = check_supplied(kind, extra)
    unit_id = kind.issuing_unit_id(actor, case)
    if unit_id is None:
        raise Forbidden("document.no_unit", f"您的岗位没有可以出具{kind.label}的单位")
    unit = Unit.objects.select_related("area").get(pk=unit_id)
    title_template, body_template, _ = template_for(county_of(case.area), kind)
    values = {
        "organ": recorded_value(unit.name),
        "case_number": recorded_value(case.number),
        "case_title": recorded_value(case.title),
        "area": recorded_value(case.area.name),
        "issuer": recorded_value(getattr(actor, "display_name", "") or ""),
        **_recorded_fields(kind, case),
        **supplied,
    }

    # From here the unit's counter row is locked until commit: only numbering, drawing and storing.
    now = timezone.now()
    year = timezone.localtime(now).year
    seq = numbering.next_number(unit, kind.number_series, year)
    number = numbering.format_number(kind.number_prefix(case, unit), year, seq)
    values |= {"number": number, "date": pdf.chinese_date(now)}
    title = fill_title(title_template, kind, values)
    content = pdf.render(
        pdf.Sheet(
            organ=values["organ"], number=number, title=title, paragraphs=fill_body(body_template, kind, values),
            signature=values["organ"], date_text=values["date"], issued_at=now,
        )
    )
    stored = attachments.store(content, f"{kind.label}{number}.pdf", "document", case=case, actor=actor)
    document = Document.objects.create(
        case=case, kind=kind.code, title=title[:200], number=number, unit=unit, series=kind.number_series, year=year, seq=seq,
        attachment=stored, template_title=title_template, template_body=body_template,
        template_sha256=template_sha256(title_template, body_template),
        issued_by=actor if getattr(actor, "pk", None) else None, issued_at=now,
    )
    journal.record(
        actor=actor, verb="document.issue", case=case, summary=f"出具{kind.label} {number}",
        from_state=case.state, to_state=case.state,
        data={"document": document.pk, "kind": kind.code, "number": number, "sha256": stored.blob_id},
    )
    return document


# ---- templates (county administrator) ------------------------------------------------------


TEMPLATES_REFUSED = ("document.template_not_allowed", "只有县级管理员可以修改文书模板")


def templates_county(actor) -> Area:
    """The county whose templates the actor keeps: the county administrator's own."""
    return administered_county(actor, refuse=TEMPLATES_REFUSED)


def _subject(county: Area, kind: DocumentKind) -> str:
    return f"document_template:{county.code[:6]}:{kind.code}"


@transaction.atomic
def save_template(actor, kind_code: str, title: str, body: str, base_version: int | None = None) -> DocumentTemplate:
    """Keep the county's wording of a kind. `base_version` is the version the administrator
    started from (None for the default): if someone saved in between, nothing is overwritten."""
    county = templates_county(actor)
    kind = kind_for(kind_code)
    title, body = check_template(kind, title, body)
    row = DocumentTemplate.objects.select_for_update().filter(county=county, kind=kind.code).first()
    if (row.version if row else None) != base_version:
        raise Conflict("document.template_conflict", "该模板刚被他人修改，请刷新后在最新内容上修改")
    before = {"title": row.title, "body": row.body} if row else {"title": kind.default_title, "body": kind.default_body, "default": True}
    if row is None:
        row = DocumentTemplate(county=county, kind=kind.code, version=0)
    row.title, row.body, row.version, row.updated_by = title, body, row.version + 1, actor
    row.save()
    journal.record(
        actor=actor, verb="document_template.save", subject=_subject(county, kind), summary=f"修改{kind.label}模板",
        data={"county": county.code, "kind": kind.code, "version": row.version, "before": before,
              "after": {"title": title, "body": body}, "sha256": template_sha256(title, body)},
    )
    return row


@transaction.atomic
def reset_template(actor, kind_code: str) -> None:
    """Go back to the kind's default wording."""
    county = templates_county(actor)
    kind = kind_for(kind_code)
    row = DocumentTemplate.objects.select_for_update().filter(county=county, kind=kind.code).first()
    if row is None:
        raise Conflict("document.template_default", "该文书已在使用默认模板")
    row.delete()
    journal.record(
        actor=actor, verb="document_template.reset", subject=_subject(county, kind), summary=f"{kind.label}模板恢复默认",
        data={"county": county.code, "kind": kind.code, "before": {"title": row.title, "body": row.body}},
    )


def preview_template(actor, kind_code: str, title: str, body: str) -> bytes:
    """A sample PDF of a wording (saved or not) with each field's sample value; takes no number."""
    templates_county(actor)
    kind = kind_for(kind_code)
    title, body = check_template(kind, title, body)
    values = {f.name: f.preview for f in kind.all_fields}
    now = timezone.now()
    return pdf.render(
        pdf.Sheet(
            organ=values["organ"], number=values["number"], title=fill_title(title, kind, values),
            paragraphs=fill_body(body, kind, values), signature=values["organ"], date_text=pdf.chinese_date(now),
            issued_at=now, watermark="样稿：示例内容，未编号，不作正式文书使用",
        )
    )
