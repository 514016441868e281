"""The one response header Django 5.2 and django-csp do not set: Permissions-Policy.

Everything else a response carries for safety comes from settings (settings.py, "Transport and
response headers"): SecurityMiddleware (nosniff, Referrer-Policy, Cross-Origin-Opener-Policy, HSTS,
the HTTPS redirect), XFrameOptionsMiddleware (DENY) and django-csp's CSPMiddleware."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Device features a page may ask the browser for (ASVS 3.4; 等保 8.1.4.11 个人信息保护): only
    the position, and only for our own pages; no page can ever reach the camera or microphone API."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response
