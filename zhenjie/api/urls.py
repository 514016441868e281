"""Assembles the API from each app's router."""

from zhenjie.accounts.api import router as accounts_router
from zhenjie.areas.api import router as areas_router
from zhenjie.calls.api import router as calls_router
from zhenjie.enforcement.api import router as enforcement_router
from zhenjie.enforcement.api_hearing import router as enforcement_hearing_router
from zhenjie.enforcement.api_decision import router as enforcement_decision_router
from zhenjie.enforcement.api_execution import router as enforcement_execution_router
from zhenjie.enforcement.api_figures import router as enforcement_figures_router
from zhenjie.enforcement.api_officers import router as enforcement_officers_router
from zhenjie.enforcement.api_joint import router as enforcement_joint_router
from zhenjie.enforcement.api_transfers import router as enforcement_transfers_router
from zhenjie.events.api import router as events_router
from zhenjie.grid.api import router as grid_router
from zhenjie.integrations.api import router as integrations_router
from zhenjie.kernel.api import router as kernel_router
from zhenjie.lists.api import public_router as lists_public_router
from zhenjie.lists.api import router as lists_router
from zhenjie.tasks.api import router as tasks_router
from zhenjie.topics.api import router as topics_router
from zhenjie.units.api import router as units_router
from zhenjie.window.api import router as window_router
from zhenjie.window.api_agents import router as window_agents_router
from zhenjie.window.api_backoffice import router as window_backoffice_router
from zhenjie.window.api_decision import router as window_decision_router
from zhenjie.window.api_figures import router as window_figures_router
from zhenjie.window.api_hall import router as window_hall_router
from zhenjie.workbench.api import router as workbench_router

from .core import api
from .kit import exports as kit_exports
from .kit import router as kit_router

for router in (kit_exports, accounts_router, areas_router, units_router, workbench_router, tasks_router, grid_router, kernel_router, calls_router, events_router,
               integrations_router, topics_router, enforcement_officers_router, enforcement_hearing_router, enforcement_decision_router, enforcement_execution_router, enforcement_figures_router, enforcement_transfers_router, enforcement_joint_router, enforcement_router, window_router, window_backoffice_router, window_decision_router, window_figures_router, window_agents_router, window_hall_router,
               lists_router, lists_public_router, kit_router):  # the kit's catch-all paths last
    api.add_router("", router)
