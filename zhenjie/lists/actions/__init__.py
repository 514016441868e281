"""Every change to the lists and delegations, by kind of change (see STYLE.md §1)."""

from .delegations import (
    adjust_delegation,
    approve_batch,
    approve_delegation,
    assess_capacity,
    bring_batch_into_force,
    bring_into_force,
    create_batch,
    policy_for,
    propose_delegation,
    set_delegation_policy,
    withdraw_delegation,
)
from .imports import import_rows, run_import, start_import
from .versions import add_item, change_item, create_list, discard_draft, publish_version, remove_item, replace_items, start_draft

__all__ = [
    "add_item", "adjust_delegation", "approve_batch", "approve_delegation", "assess_capacity", "bring_batch_into_force",
    "bring_into_force", "change_item", "import_rows", "create_batch", "create_list", "discard_draft", "policy_for", "propose_delegation",
    "publish_version", "remove_item", "replace_items", "run_import", "set_delegation_policy", "start_draft", "start_import",
    "withdraw_delegation",
]
