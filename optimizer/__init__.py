"""The optimizer: CP-SAT models that turn a scenario into decisions, and the solve driver."""
