"""Naming a place the way outside systems do: a township or village by its name or division
code, or a free address string that mentions one. Always inside one county."""

from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path


class Places:
    """The townships and villages of one county as they are today (an area retired by 区划调整 is
    not a place to file in), read once (two queries) and looked up by name or
    code — an import of thousands of rows must not ask the database per row."""

    def __init__(self, county: Area):
        self.county = county
        self.townships: dict[str, Area] = {}
        self.villages: dict[tuple[str, str], Area] = {}
        self.village_list: list[Area] = []
        for area in Area.objects.live().filter(path__startswith=county.path, level=Area.Level.TOWNSHIP).only("id", "code", "name", "path", "level", "parent_id"):
            self.townships.setdefault(area.name, area)
            self.townships.setdefault(area.code, area)
            self.townships.setdefault(area.code[:9], area)
        for area in Area.objects.live().filter(path__startswith=county.path, level=Area.Level.VILLAGE).only("id", "code", "name", "path", "level", "parent_id"):
            township = township_path(area.path)
            self.villages.setdefault((township, area.name), area)
            self.villages.setdefault((township, area.code), area)
            self.village_list.append(area)

    def township(self, text: str) -> Area | None:
        return self.townships.get((text or "").strip())

    def village(self, township: Area, text: str) -> Area | None:
        return self.villages.get((township.path, (text or "").strip()))

    def from_address(self, address: str) -> Area | None:
        """The village (else the township) whose name the address mentions. The longest name wins,
        so "甲一村" is not read as a village called "甲一"; a village name found in several
        townships counts only with its township named too, else the place is unknown."""
        address = address or ""
        townships = {a.pk: a for a in self.townships.values() if a.name and a.name in address}.values()
        named_paths = {t.path for t in townships}
        villages = [v for v in self.village_list if v.name and v.name in address]
        if named_paths:
            villages = [v for v in villages if township_path(v.path) in named_paths]
        if villages:
            longest = max(len(v.name) for v in villages)
            best = [v for v in villages if len(v.name) == longest]
            return best[0] if len({township_path(v.path) for v in best}) == 1 else None
        return max(townships, key=lambda a: len(a.name)) if townships else None
