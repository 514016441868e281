"""归档包自检程序 (verify.py): checks an archive package with nothing but Python's standard library.

    python verify.py                 # the folder this file was unzipped into
    python verify.py 归档包.zip        # or a folder, or the zip itself

It re-computes the SHA-256 and size of every file listed in manifest.json, names every file
that is missing, changed or not listed, and re-checks the journal segment: entries numbered
without gaps, each one's previous hash equal to the hash before it, the segment's ends as the
manifest states. It prints 通过 or the problems, and exits 0 or 1.

What it cannot know on its own: the journal's digests and the manifest's seal are keyed
(HMAC) under the platform's key, so someone who edits a file *and* the manifest to match, or
rewrites journal links consistently, passes here. The platform's check (`manage.py archive
verify`, the case's archive page) holds the key and catches that; compare the manifest's
SHA-256 printed below with the one the platform registered.

The platform copies this very file into every package as verify.py (kernel/archive.py) and
runs the same check() itself, so the two can never disagree."""

import hashlib
import json
import sys
import zipfile
import zlib
from pathlib import Path, PurePosixPath

MANIFEST = "manifest.json"
# A zip whose bytes were changed fails to inflate or fails its CRC.
BROKEN = (zipfile.BadZipFile, zlib.error, OSError)
JOURNAL = "journal.json"


class Folder:
    def __init__(self, root: Path):
        self.root = root

    def names(self) -> set[str]:
        return {path.relative_to(self.root).as_posix() for path in self.root.rglob("*") if path.is_file()}

    def open(self, name: str):
        path = self.root / name
        return path.open("rb") if path.is_file() else None


class Zip:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive

    def names(self) -> set[str]:
        return {info.filename for info in self.archive.infolist() if not info.is_dir()}

    def open(self, name: str):
        try:
            return self.archive.open(name)
        except KeyError:
            return None


def is_safe(path: str) -> bool:
    """A manifest path names a file inside the package: relative, no '..', no backslash."""
    pure = PurePosixPath(path)
    return bool(path) and "\\" not in path and not pure.is_absolute() and ".." not in pure.parts


def digest_of(stream) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with stream:
        while chunk := stream.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def read_json(source, name: str):
    """The JSON member `name`, None when it is missing; ValueError when it cannot be read."""
    stream = source.open(name)
    if stream is None:
        return None
    try:
        with stream:
            return json.loads(stream.read().decode("utf-8"))
    except BROKEN as error:
        raise ValueError(name) from error


def check_files(source, manifest: dict) -> list[str]:
    problems, listed = [], set()
    for item in manifest.get("files", []):
        path = item.get("path", "")
        listed.add(path)
        if not is_safe(path):
            problems.append(f"清单中的路径不安全：{path}")
            continue
        stream = source.open(path)
        if stream is None:
            problems.append(f"缺少文件：{path}")
            continue
        try:
            sha256, size = digest_of(stream)
        except BROKEN:
            problems.append(f"文件已损坏或被改动：{path}")
            continue
        if sha256 != item.get("sha256") or size != item.get("size"):
            problems.append(f"文件已被改动(SHA-256或大小与清单不符)：{path}")
    # Python may leave its bytecode cache beside verify.py after a run in the folder.
    unlisted = {name for name in source.names() - listed - {MANIFEST} if "__pycache__" not in name}
    problems += [f"清单之外多出的文件：{name}" for name in sorted(unlisted)]
    return problems


def check_journal(source, manifest: dict) -> list[str]:
    """The journal segments: numbered without gaps, each entry linked to the one before it."""
    try:
        journal = read_json(source, JOURNAL)
    except ValueError:
        return [f"{JOURNAL} 已损坏或不是有效的JSON"]
    if journal is None:
        return [f"缺少文件：{JOURNAL}"]
    problems = []
    stated = {segment["chain"]: segment for segment in manifest.get("journal", [])}
    segments = {segment.get("chain"): segment for segment in journal.get("segments", [])}
    if set(stated) != set(segments):
        problems.append(f"全过程记录的链与清单不符：清单为{sorted(stated)}，文件中为{sorted(segments)}")
    for chain, segment in sorted(segments.items()):
        entries = segment.get("entries", [])
        expected = stated.get(chain, {})
        seq, prev = expected.get("from_seq"), expected.get("prev_hash")
        for entry in entries:
            if entry.get("seq") != seq:
                problems.append(f"全过程记录链 {chain} 断裂：缺少第 {seq} 条(下一条为第 {entry.get('seq')} 条)")
                break
            if entry.get("prev") != prev:
                problems.append(f"全过程记录链 {chain} 断裂：第 {seq} 条与前一条的哈希链接不符")
                break
            fields = entry.get("fields")
            if fields is not None and (fields.get("chain"), fields.get("seq"), fields.get("prev")) != (chain, seq, prev):
                problems.append(f"全过程记录链 {chain} 第 {seq} 条：记录内容中的链、序号或前一条哈希与链不符")
                break
            seq, prev = seq + 1, entry.get("hash")
        else:
            if seq - 1 != expected.get("to_seq") or prev != expected.get("last_hash"):
                problems.append(f"全过程记录链 {chain} 断裂：末尾应为第 {expected.get('to_seq')} 条，实为第 {seq - 1} 条")
        own = sum(1 for entry in entries if "fields" in entry)
        if own != expected.get("case_entries"):
            problems.append(f"全过程记录链 {chain}：本事项记录应为 {expected.get('case_entries')} 条，实为 {own} 条")
    return problems


def check(source) -> tuple[list[str], str]:
    """The problems found (empty: the package is whole) and the manifest's SHA-256."""
    stream = source.open(MANIFEST)
    if stream is None:
        return [f"缺少 {MANIFEST}"], ""
    try:
        with stream:
            raw = stream.read()
    except BROKEN:
        return [f"{MANIFEST} 已损坏"], ""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except ValueError:
        return [f"{MANIFEST} 不是有效的JSON"], hashlib.sha256(raw).hexdigest()
    try:
        problems = check_files(source, manifest) + check_journal(source, manifest)
    except (TypeError, AttributeError, KeyError):  # a manifest or journal not of the shape written
        problems = [f"{MANIFEST} 或 {JOURNAL} 的格式不正确"]
    return problems, hashlib.sha256(raw).hexdigest()


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    if target.is_file():
        with zipfile.ZipFile(target) as archive:
            problems, manifest_sha256 = check(Zip(archive))
    else:
        problems, manifest_sha256 = check(Folder(target))
    print(f"清单 SHA-256：{manifest_sha256}(请与系统登记的值核对)")
    if problems:
        print("未通过：")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("通过")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
