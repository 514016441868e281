"""Personal data in the grid's templates, shown as the reader may see it (queries.birth_date_seen_by)."""

from django import template

from zhenjie.grid import queries
from zhenjie.grid.models import KeyPerson

register = template.Library()


@register.filter
def birth_date_for(record, user):
    """`{{ resident|birth_date_for:request.user }}` (or a key person): the birth date, or None
    for a reader who may not reveal the ID number it completes."""
    if isinstance(record, KeyPerson):
        return queries.birth_date_seen_by(user, record.resident, record.grid)
    return queries.birth_date_seen_by(user, record)
