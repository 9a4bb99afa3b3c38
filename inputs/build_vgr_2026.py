"""The command that inputs/vgr-2026/README.md and scenario.toml name for rebuilding the shipped
tables; the build itself is inputs/generators/vgr_2026.py (`--help` for its options)."""

import sys

from leveransplan.inputs.generators.vgr_2026 import main

if __name__ == "__main__":
    sys.exit(main())
