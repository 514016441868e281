"""Every change to the grid's data, one transaction each, journaled in the grid's township chain.
Pages, the API, imports and the demo all call these; none may rely on the caller's checks.

coverage.py   who covers which grid (lead worker with history)
registers.py  residents, buildings, organisations (one by one, or imported all-or-nothing)
ledger.py     key-population ledgers, visits, and the county's visit rules
patrols.py    patrols, their tracks and findings; the events app's hook for findings"""

from .coverage import NO_LEAD, add_helper, eligible_workers, remove_helper, set_lead_worker
from .ledger import add_key_person, end_key_person, import_visits, record_visit, set_population_rule, update_key_person
from .patrols import add_finding, add_positions, link_finding_to_case, start_patrol, stop_patrol, upload_patrol
from .registers import (
    import_buildings,
    import_organisations,
    import_residents,
    record_departure,
    register_building,
    register_organisation,
    register_resident,
    reveal_resident,
    update_building,
    update_organisation,
    update_resident,
)

__all__ = [
    "NO_LEAD", "add_finding", "add_helper", "add_key_person", "add_positions", "eligible_workers", "end_key_person",
    "import_buildings", "import_organisations", "import_residents", "import_visits", "link_finding_to_case", "record_departure",
    "record_visit", "register_building", "register_organisation", "register_resident", "remove_helper", "reveal_resident",
    "set_lead_worker", "set_population_rule", "start_patrol", "stop_patrol", "update_building", "update_key_person",
    "update_organisation", "upload_patrol", "update_resident",
]
