"""Settings for the test suite: the real database (SQLite or DATABASE_URL), real job queue in
immediate mode, a fast password hasher (argon2 is checked by its own test), uploads in a temp dir."""

import tempfile

from zhenjie.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = tempfile.mkdtemp(prefix="zhenjie-media-")
# Anchors of the test databases never mix with a developer's own under var/.
JOURNAL_ANCHOR_DIR = Path(tempfile.mkdtemp(prefix="zhenjie-anchors-"))  # noqa: F405
JOURNAL_ANCHOR_URL = ""
# A base-map file a developer dropped into var/ must not change what the tests' maps draw.
BASEMAP_DIR = Path(tempfile.mkdtemp(prefix="zhenjie-basemap-"))  # noqa: F405
HUEY = {"huey_class": "huey.MemoryHuey", "name": "zhenjie-test", "immediate": True}
# A smaller past year for tests that build the demo; demo/tests check its shape at this size.
DEMO_EVENTS = 600
DEMO_APPLICATIONS = 60
# A case kind for the kernel's own tests (kernel/tests/casekind): never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "zhenjie.kernel.tests.casekind"]  # noqa: F405
ROOT_URLCONF = "zhenjie.kernel.tests.casekind.urls"  # the site and the errand's pages
# Counters per test process: suites on both databases at once must not share the portal's limits.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

