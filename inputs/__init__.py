"""Reading and validating scenario folders; the shipped scenarios live here as package data."""

from leveransplan.inputs.load import default_scenario_path, load_scenario
from leveransplan.inputs.problems import InputProblem, ScenarioInvalid

__all__ = ["InputProblem", "ScenarioInvalid", "default_scenario_path", "load_scenario"]
