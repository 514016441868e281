"""Shapes of the certificate pages' input (types, lengths, choices read for the user); the rules
are the actions' (actions/officers.py)."""

from django import forms

from zhenjie.workbench.forms import StyledFormMixin

from .actions.officers import ISSUER_MAX, NUMBER_MAX, REASON_MAX, TRAINING_HOURS_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CertificateForm(StyledFormMixin, forms.Form):
    officer = forms.ModelChoiceField(label="执法人员", queryset=None)
    number = forms.CharField(label="执法证号", max_length=NUMBER_MAX)
    issuer = forms.CharField(label="发证机关", max_length=ISSUER_MAX)
    area = forms.ModelChoiceField(label="执法区域", queryset=None)
    valid_from = forms.DateField(label="有效期起", widget=DATE)
    valid_until = forms.DateField(label="有效期至", widget=DATE)
    training_hours = forms.IntegerField(label="年度培训学时", min_value=0, max_value=TRAINING_HOURS_MAX, initial=0)

    def __init__(self, *args, officers, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda user: user.display_name
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda area: area.name


class RenewForm(StyledFormMixin, forms.Form):
    valid_until = forms.DateField(label="新的有效期至", widget=DATE)


class TrainingForm(StyledFormMixin, forms.Form):
    training_hours = forms.IntegerField(label="年度培训学时", min_value=0, max_value=TRAINING_HOURS_MAX)


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="注销理由", max_length=REASON_MAX)
