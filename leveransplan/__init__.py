"""leveransplan: delivery plans for care volumes and training placements across VGR's hospitals.

The package gathers the repository's rooms under one name: `leveransplan.models` (the data and
its rules, no solver), `leveransplan.inputs` (scenario files into models), `leveransplan.optimizer`
(models into decisions) and `leveransplan.outputs` (decisions into files, and their checker).
`leveransplan.cli` is the command line over them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("leveransplan")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
