"""The files of `leveransplan risk`: the risk of a plan's breaking the care guarantee, per hospital
and for the region, and per month (columns in data_dictionary.toml)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from leveransplan.models.months import Horizon
from leveransplan.models.risk import RiskSummary
from leveransplan.outputs.data_dictionary import DATA_PACKAGE, data_package
from leveransplan.outputs.manifest import json_text

RISK_SUMMARY = "risk_summary.csv"
RISK_MONTHS = "risk_months.csv"
RISK_JSON = "risk.json"
RISK_REPORT = "report.html"
SUMMARY_COLUMNS = (
    "area",
    "planned",
    "mean",
    "p50",
    "p90",
    "p99",
    "planned_end",
    "chance_end_above_plan",
)
MONTH_COLUMNS = ("area", "month", "planned", "mean", "p10", "p50", "p90", "chance_above_plan")


def _csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def risk_files(
    summary: RiskSummary, horizon: Horizon, plan_dir: Path, seed: int, uncertainty: list[dict[str, Any]]
) -> dict[str, str]:
    """risk_summary.csv, risk_months.csv, risk.json and datapackage.json as texts (the report is
    added by the caller)."""
    areas = [
        {
            "area": a.area,
            "planned": a.planned,
            "mean": round(a.mean, 1),
            "p50": a.p50,
            "p90": a.p90,
            "p99": a.p99,
            "planned_end": a.planned_end,
            "chance_end_above_plan": round(a.chance_end_above_plan, 4),
        }
        for a in summary.areas
    ]
    months = [
        {
            "area": r.area,
            "month": horizon.label(r.month),
            "planned": r.planned,
            "mean": round(r.mean, 1),
            "p10": r.p10,
            "p50": r.p50,
            "p90": r.p90,
            "chance_above_plan": round(r.chance_above_plan, 4),
        }
        for r in summary.months
    ]
    document = {
        "plan": str(plan_dir),
        "samples": summary.samples,
        "seed": seed,
        "paid_sek": {
            "planned": summary.paid_planned,
            "mean": round(summary.paid_mean),
            "p90": summary.paid_p90,
        },
        "concentrated_months": [horizon.label(r.month) for r in summary.concentrated()],
        "uncertainty": uncertainty,
    }
    return {
        RISK_SUMMARY: _csv(SUMMARY_COLUMNS, areas),
        RISK_MONTHS: _csv(MONTH_COLUMNS, months),
        RISK_JSON: json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        DATA_PACKAGE: json_text(
            data_package("risk", [(RISK_SUMMARY, SUMMARY_COLUMNS), (RISK_MONTHS, MONTH_COLUMNS)])
        ),
    }
