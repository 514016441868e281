"""Build the intranet bundle (issue 13 item 4): one archive with everything `make install` needs on
a machine with no package index — the project's source at a commit (git archive, with the vendored
scripts, styles, fonts and map library already in the repository) and the pinned wheels of
requirements.txt for Linux x86_64, CPython 3.11.

    python deploy/bundle.py [--ref HEAD] [--out dist]

writes dist/zhenjie-<version>-g<commit>-linux-x86_64-cp311.tar.gz and prints its path. Inside,
zhenjie-<version>/wheels/ holds the wheels and SHA256SUMS; the Makefile sees wheels/ and installs
from it alone (pip --no-index --find-links wheels). Wheels only (--only-binary=:all:): nothing is
compiled on the target. manylinux up to glibc 2.28: Debian 10+, RHEL/CentOS 8+, 麒麟 V10, 统信 UOS 20.
Standard library only, run with any Python that has pip."""

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_VERSION = "3.11"
ABI = "cp311"
# pip does not widen manylinux_2_X tags by itself: every glibc the wheels may ask for is named.
PLATFORMS = ["manylinux2014_x86_64", *(f"manylinux_2_{minor}_x86_64" for minor in range(17, 29))]


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def commit_of(ref: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=10", ref], check=True, capture_output=True, text=True).stdout.strip()


def download_wheels(requirements: Path, into: Path) -> list[Path]:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
         "--implementation", "cp", "--python-version", PYTHON_VERSION, "--abi", ABI, *platforms,
         "-r", str(requirements), "-d", str(into)],
        check=True,
    )
    wheels = sorted(into.glob("*.whl"))
    if len(wheels) < len(pinned(requirements)):
        raise SystemExit(f"only {len(wheels)} wheels for {len(pinned(requirements))} pinned requirements")
    return wheels


def pinned(requirements: Path) -> list[str]:
    return [line.split("==")[0] for line in requirements.read_text().splitlines() if "==" in line and not line.startswith("#")]


def build(ref: str = "HEAD", out: Path = ROOT / "dist") -> Path:
    name = f"zhenjie-{version()}"
    commit = commit_of(ref)
    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"{name}-g{commit}-linux-x86_64-cp{ABI[2:]}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="zhenjie-bundle-") as work:
        work = Path(work)
        source = work / "source.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", f"--prefix={name}/", "-o", str(source), ref], check=True)
        with tarfile.open(source) as tar:
            tar.extractall(work, filter="data")
        tree = work / name
        wheels = download_wheels(tree / "requirements.txt", tree / "wheels")
        sums = "".join(f"{hashlib.sha256(w.read_bytes()).hexdigest()}  {w.name}\n" for w in wheels)
        (tree / "wheels" / "SHA256SUMS").write_text(sums)
        (tree / "BUNDLE.txt").write_text(
            f"镇街 Zhenjie {version()}，提交 {commit}，打包于 {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
            f"适用：Linux x86_64，CPython {PYTHON_VERSION}，glibc ≥ 2.28；wheels/ 下 {len(wheels)} 个依赖包。\n"
            "安装：make install（自动从 wheels/ 离线安装），其余步骤见 docs/DEPLOYMENT.md。\n"
        )
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(tree, arcname=name, filter=_normalised)
    return archive


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD", help="the commit to bundle (default HEAD)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the archive goes (default dist/)")
    args = parser.parse_args(argv)
    print(build(args.ref, args.out))


if __name__ == "__main__":
    main()
