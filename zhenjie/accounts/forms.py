from django import forms


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "class": "form-control"}))
    password = forms.CharField(label="密码", max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}))


class TokenForm(forms.Form):
    token = forms.CharField(
        label="动态口令", max_length=16, help_text="手机身份验证器上的6位数字；手机不在身边时可输入一个恢复码",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "class": "form-control"}),
    )


class EnrolForm(forms.Form):
    token = forms.CharField(label="验证器显示的6位动态口令", max_length=16, widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-control"}))
    password = forms.CharField(
        label="当前密码", max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"})
    )
