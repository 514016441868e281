"""Every change to an enforcement case, one module per stage (ENFORCEMENT.md)."""
