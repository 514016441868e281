"""Answers to a form the phone's script sends (static/zhenjie/offline.js): the report and visit
forms are sent by fetch with `Accept: application/json`, at once or later from the phone's
queue, and the script needs to tell "filed" from "refused" (drop it and say why) from "not
through" (keep it and try again). A browser without the script gets the page as before."""

from django import forms
from django.http import JsonResponse

from zhenjie.kernel.errors import ActionError

KEY_FIELD = "client_key"


def key_field() -> forms.CharField:
    """The hidden key a form carries (kernel.submits), filled by the phone's script."""
    return forms.CharField(required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-client-key": ""}))


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def filed(url: str, message: str) -> JsonResponse:
    return JsonResponse({"ok": True, "url": url, "message": message}, status=201)


def refused(*, form: forms.Form | None = None, error: ActionError | None = None) -> JsonResponse:
    """A refusal the phone must not send again: the message, and the fields it names."""
    if error is not None:
        return JsonResponse({"ok": False, "code": error.code, "message": error.message, "fields": error.fields}, status=error.status)
    fields = {name: "；".join(str(e) for e in errors) for name, errors in form.errors.items()}
    said = [f"{form.fields[name].label}：{text}" if name in form.fields and form.fields[name].label else text for name, text in fields.items()]
    return JsonResponse({"ok": False, "code": "form.invalid", "message": "；".join(said) or "填写有误", "fields": fields}, status=400)
