"""The words a person reads in the workbooks: column headers for the plan files' columns.

A column's header is its label in the current language; a column not listed here (one added to
a table later) shows its own name, so nothing goes missing. The values in the columns stay as the
plan files have them: codes are codes in either language.
"""

from __future__ import annotations

from leveransplan.models.language import N_, _

COLUMN_LABELS = {
    "month": N_("Month"),
    "hospital": N_("Hospital"),
    "name": N_("Name"),
    "category": N_("Category"),
    "channel": N_("Channel"),
    "provider": N_("Provider"),
    "contract": N_("Contract"),
    "volume": N_("Volume"),
    "unit_price_sek": N_("Unit price (SEK)"),
    "cost_sek": N_("Cost (SEK)"),
    "base_used": N_("Base used"),
    "additional_own": N_("Additional, own patients"),
    "additional_for_others": N_("Additional, for other hospitals"),
    "waiting_end": N_("Waiting at month end"),
    "over_guarantee": N_("Beyond the guarantee"),
    "uppdrag": N_("Assignment"),
    "bas": N_("Base"),
    "tillagg": N_("Additional"),
    "tillägg": N_("Additional"),
    "volume_min": N_("Minimum volume"),
    "volume_max": N_("Maximum volume"),
    "used": N_("Used"),
    "unused_min": N_("Unused minimum"),
    "out_of_region": N_("Out of region"),
    "units": N_("Units"),
    "price_sek": N_("Price (SEK)"),
    "first_month": N_("First month"),
    "last_month": N_("Last month"),
    "most_in_a_month": N_("Most in a month"),
    "positions": N_("AT positions"),
    "target": N_("Target"),
    "previous": N_("Previous"),
    "trainee": N_("ST-A trainee"),
    "specialty": N_("Specialty"),
    "start": N_("Start"),
    "end": N_("End"),
    "travel_minutes": N_("Travel time (min)"),
    "reason": N_("Reason"),
    "year": N_("Year"),
    "places": N_("Places"),
    "proposed": N_("Proposed places"),
    "decided": N_("Decided places"),
    "max_places": N_("Most places"),
    "load_percent": N_("Load (%)"),
    "over_guarantee_start": N_("Beyond the guarantee at start"),
    "over_guarantee_end": N_("Beyond the guarantee at end"),
    "patient_months_over": N_("Patient-months beyond the guarantee"),
    "referrals_out": N_("Referrals out"),
    "referrals_in": N_("Referrals in"),
    "catch_up_units": N_("Catch-up units"),
    "change_units": N_("Change (units)"),
    "change_sek": N_("Change (SEK)"),
    "frame_sek": N_("Frame (SEK)"),
    "frame_left_sek": N_("Left of frame (SEK)"),
    "unused_minimum_cost_sek": N_("Unused minimum (SEK)"),
    "previous_plan": N_("Previous plan"),
    "model": N_("Model"),
    "objective": N_("Objective"),
    "value": N_("Value"),
    "bound": N_("Bound"),
    "status": N_("Status"),
    "seconds": N_("Seconds"),
    "total": N_("Total"),
}


def label(column: str) -> str:
    """The header a person reads for a plan file's column."""
    return _(COLUMN_LABELS[column]) if column in COLUMN_LABELS else column


def labels(columns: list[str] | tuple[str, ...]) -> list[str]:
    """Headers for `columns`, made unique (an Excel table's headers must differ, regardless of case)."""
    shown: list[str] = []
    for column in columns:
        text, number = label(column), 2
        while text.lower() in (s.lower() for s in shown):
            text = f"{label(column)} ({number})"
            number += 1
        shown.append(text)
    return shown
