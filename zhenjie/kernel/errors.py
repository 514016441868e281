"""The errors an action raises. Each carries a stable code, a Chinese message for the person in
front of the screen, and the field it is about, so pages put it on the form and the API returns
{code, message, fields} with the status below."""


class ActionError(Exception):
    status = 400

    def __init__(self, code: str, message: str, field: str | None = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.fields = dict(fields or {})
        if field and field not in self.fields:
            self.fields[field] = message

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class Rejected(ActionError):
    """The input breaks a rule: fix it and try again."""

    status = 400


class Forbidden(ActionError):
    """The person may see the record but not do this to it."""

    status = 403


class NotFound(ActionError):
    """Does not exist, or lies outside the person's jurisdiction: the two look the same."""

    status = 404


class Conflict(ActionError):
    """Someone else changed the record first, or it is no longer in a state that allows this."""

    status = 409


class Unauthenticated(ActionError):
    """Wrong or missing credentials."""

    status = 401
