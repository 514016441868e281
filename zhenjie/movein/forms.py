from django import forms

from zhenjie.workbench.forms import StyledFormMixin


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="文件")


class ConfirmForm(StyledFormMixin, forms.Form):
    remove = forms.BooleanField(label="同时处理文件中没有的记录", required=False)
