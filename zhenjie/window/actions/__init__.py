"""The window's actions, one module per part (agents.py: agent points, roster, papers ledger)."""
