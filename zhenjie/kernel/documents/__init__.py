"""Documents (文书): numbered PDFs generated from a case by county-editable templates.

See kernel/DOCUMENTS.md. Domain apps declare kinds with `register_kind(DocumentKind(...))` at
import and issue them with `issue_document(actor, case, code, extra=...)`; pages and the API
read through `documents_for(user)` and serve with `pdf_response(document)`."""

from .actions import issue_document, preview_template, reset_template, save_template, template_for
from .kinds import COMMON_FIELDS, DocField, DocumentKind, kind_for, register_kind, registered_kinds
from .queries import documents_for, documents_of_case_for, documents_on, get_document_for
from .serving import pdf_response, preview_response

__all__ = [
    "COMMON_FIELDS", "DocField", "DocumentKind", "documents_for", "documents_of_case_for", "documents_on", "get_document_for", "issue_document",
    "kind_for", "pdf_response", "preview_response", "preview_template", "register_kind", "registered_kinds", "reset_template", "save_template",
    "template_for",
]
