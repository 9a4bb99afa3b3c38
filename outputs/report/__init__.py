"""The self-contained HTML report of a plan (page.py) or of a frontier (frontier.py): the plan's
files read back (plan.py, costs.py, volumes.py), drawn (charts.py) and laid out (sections.py,
html.py)."""
