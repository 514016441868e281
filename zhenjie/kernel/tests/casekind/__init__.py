"""A case kind that exists only in the test suite (zhenjie/test_settings.py installs it), so the
kernel's tests need no domain app: an errand (差事) handed to a unit, signed for, worked on
(paused and resumed), answered and accepted or sent back, or dropped. Small as it is, it uses what
a kind can declare: roles and assignees, reasons and inputs, a condition, pause and resume,
phases, "may" rules, and the default number prefix."""
