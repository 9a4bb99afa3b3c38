"""The command line's exit codes, one per way a command ends.

0 done, 1 internal error, 2 usage (bad flag, output folder exists), 3 invalid input, 4 infeasible,
5 no solution within the time limit, 6 the plan checker found a violation, 7 the output cannot be
written (disk full, no permission, a file open in another program), 8 partial: the plan is
written, but the time limit stopped a model before it was proven optimal or before it had any
plan, 130 stopped by Ctrl-C (143 by SIGTERM: 128 + the signal's number).
"""

from __future__ import annotations

EXIT_USAGE, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_CHECK, EXIT_OUTPUT = 2, 3, 4, 5, 6, 7
EXIT_PARTIAL = 8
