"""The import kinds, by code (`manage.py import CODE FILE`, /console/movein/CODE/). See base.py
for how to add one."""

from .areas import AreasKind
from .base import ImportKind
from .boundaries import BoundariesKind
from .grids import GridsKind
from .people import PeopleKind
from .units import UnitsKind

KINDS: dict[str, ImportKind] = {kind.code: kind for kind in (AreasKind(), BoundariesKind(), GridsKind(), UnitsKind(), PeopleKind())}


def kind_named(code: str) -> ImportKind | None:
    return KINDS.get(code)
