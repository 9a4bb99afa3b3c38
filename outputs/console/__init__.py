"""What the commands print on the terminal: the shared consoles and messages (common.py), and the
tables of solve (solve.py), explain and frontier (guarantee.py), and diff and sweep
(compare.py), followup (followup.py)."""
