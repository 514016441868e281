import re

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Passwords mix at least three of: upper-case, lower-case, digits, symbols
    (the usual 等保 (GB/T 22239) reading of "复杂度要求")."""

    classes = (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]")

    def validate(self, password, user=None):
        if sum(bool(re.search(pattern, password)) for pattern in self.classes) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类", code="password_too_simple"
            )

    def get_help_text(self):
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"
