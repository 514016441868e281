"""Issue 13 item 4: a closed-intranet install. `make bundle`'s archive (deploy/bundle.py) is built,
unpacked into an empty folder and installed the way the README says — `make install` — with every
package index out of reach: pip may read no configuration (PIP_CONFIG_FILE=/dev/null), its index is
an address nobody answers on and --no-index is forced. The installed platform then passes `check`,
migrates a new SQLite database and bootstraps a county. About a minute; it does not touch the test
database, so it runs once, on the SQLite pass of the suite."""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres") or shutil.which("make") is None or not (ROOT / ".git").exists(),
        reason="the bundle does not depend on the database: run on the SQLite pass, from a git checkout, with make",
    ),
    pytest.mark.slow,
    # Its five subprocesses have 300 s limits of their own; the suite's 600 s could cut it short on a loaded machine.
    pytest.mark.timeout(1500),
]


def offline_environment(var: Path) -> dict[str, str]:
    # Nothing of this run leaks in: pip settings, the suite's Django settings and database, the
    # outer make's flags (`make test` runs this suite).
    dropped = ("PIP_", "DJANGO_", "DATABASE_URL", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env.update({
        "PIP_CONFIG_FILE": os.devnull,  # no index, mirror or find-links from the machine's pip.conf
        "PIP_NO_INDEX": "1",
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",  # the discard port: any attempt fails at once
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1",
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
        "ZHENJIE_VAR_DIR": str(var),
        "PYTHON": sys.executable,
    })
    return env


def test_the_bundle_installs_with_no_package_index_and_the_platform_runs(tmp_path):
    built = subprocess.run([sys.executable, str(ROOT / "deploy" / "bundle.py"), "--out", str(tmp_path / "dist")],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    archive = Path(built.stdout.strip().splitlines()[-1])
    assert archive.name.endswith("-linux-x86_64-cp311.tar.gz") and archive.exists()

    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "target", filter="data")
    (tree,) = (tmp_path / "target").iterdir()
    wheels = {path.name for path in (tree / "wheels").glob("*.whl")}
    pinned = [line.split("==")[0] for line in (tree / "requirements.txt").read_text().splitlines() if "==" in line]
    assert len(wheels) == len(pinned) and (tree / "wheels" / "SHA256SUMS").read_text().count("\n") == len(wheels)
    for shipped in ("Makefile", "manage.py", "README.md", "docs/DEPLOYMENT.md", "zhenjie/static/vendor/leaflet/leaflet.js",
                    "zhenjie/kernel/documents/fonts", "BUNDLE.txt"):
        assert (tree / shipped).exists(), shipped

    env = offline_environment(tmp_path / "var")
    installed = subprocess.run(["make", "install"], cwd=tree, env=env, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, (installed.stdout + installed.stderr)[-3000:]
    assert "--no-index --find-links wheels" in installed.stdout

    python = str(tree / ".venv" / "bin" / "python")
    for command in (["check"], ["migrate", "--noinput", "-v", "0"], ["bootstrap", "--county-code", "371083", "--county-name", "禾山县"]):
        ran = subprocess.run([python, "manage.py", *command], cwd=tree, env=env, capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0, (command, (ran.stdout + ran.stderr)[-3000:])
    assert "初始密码" in ran.stdout and (tmp_path / "var" / "zhenjie.sqlite3").exists()
