"""The one way a document's PDF leaves the server, for the staff page and the API alike."""

from ..models import Document

from .. import attachments
from ..serving import file_response


def pdf_response(document: Document):
    """The stored PDF, shown in the browser's viewer, named after the document. Only for a
    document fetched through documents_for(user); never cached (kernel/serving.py)."""
    blob = document.attachment.blob
    return file_response(attachments.open_blob(blob), filename=document.attachment.name, content_type="application/pdf", inline=True, size=blob.size)


def preview_response(content: bytes, filename: str):
    """A sample PDF made on request (a template preview); never stored."""
    return file_response(content, filename=filename, content_type="application/pdf", inline=True)
