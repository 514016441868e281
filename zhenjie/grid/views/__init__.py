"""The grid's pages: thin views over queries (scoped reads) and actions (every change).

grids.py      front page, one grid, who covers which grid, the county's visit rules, photos
registers.py  residents, buildings, organisations
ledger.py     key-population ledgers, visits, overdue lists
patrols.py    the phone's patrol page and the patrol history with its map"""
