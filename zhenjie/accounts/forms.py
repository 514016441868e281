from django import forms


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="密码", max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
