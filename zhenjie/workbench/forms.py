"""Form plumbing shared by every staff page: Bootstrap classes on widgets, and action errors put
on the field they name."""

from django import forms
from django.contrib import messages
from django.forms.models import ModelChoiceIterator

from zhenjie.kernel.errors import ActionError


class FetchedChoiceIterator(ModelChoiceIterator):
    """A select's choices read in one plain query. Django's iterates with `.iterator()`, which on
    PostgreSQL is a server-side cursor (DECLARE … WITH HOLD, a FETCH, a CLOSE: three round trips
    and the rows materialised at commit) for the few dozen units or people a select offers."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class StyledFormMixin:
    # Invalid fields are marked in full_clean(), never here: touching self.errors in __init__ would
    # validate before a subclass has set its choices.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = FetchedChoiceIterator
                field.widget.choices = field.choices  # the widget took Django's iterator with the queryset
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def add_action_error(self, error: ActionError, request=None) -> None:
        """The one way a page shows an action's error (PAGES.md): each message on the field it
        names, marked invalid; when it names none of this form's fields, on the form itself — or,
        given the request (a page of several forms), as a message above them all."""
        placed = [name for name in error.fields if name in self.fields]
        for name in placed:
            self.add_error(name, error.fields[name])
            widget = self.fields[name].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
        if not placed and request is not None:
            messages.error(request, error.message)
        elif not placed:
            self.add_error(None, error.message)
