"""The chain of plans: a re-plan's manifest.json names its previous plan, the folder and the SHA-256
of that plan's manifest.json (which in turn lists the digest of every file of that plan), so the
chain can be followed from the newest plan back to the first and each link verified.

A link is broken when the previous plan's manifest.json is missing or differs from the one the
re-plan was made from (other than listing the report that `leveransplan report` wrote into it
later), or when a plan names a previous plan without that digest. A changed
previous plan is still followed (its own manifest says where it came from); a missing one ends
the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leveransplan.models.language import N_
from leveransplan.models.wording import phrase, shown
from leveransplan.outputs.manifest import (
    MANIFEST,
    PREVIOUS_PLAN,
    ManifestUnreadable,
    json_text,
    read_manifest,
    sha256_of,
)
from leveransplan.outputs.publish import REPORT

# Each plan's link to its previous plan, as `history --json` reports it: machine values, never
# translated (the terminal says each in its own words).
FIRST, AS_RECORDED, REPORT_ADDED, CHANGED, MISSING, NOT_RECORDED, LOOP = (
    "first plan",
    "as recorded",
    "as recorded, report.html added since",
    "changed",
    "missing",
    "not recorded",
    "loop",
)
BROKEN = (CHANGED, MISSING, NOT_RECORDED, LOOP)
_PENDING = "to be verified"


@dataclass
class PlanLink:
    """One plan of a chain and what became of the previous plan it was made from."""

    folder: Path
    made_utc: str | None
    scenario: str | None
    decision_round: str | None
    # The last month held as decided: --freeze-until (or the round's month before), or the last
    # month of the actuals a re-plan started after.
    frozen_until: str | None
    previous_folder: str | None
    # FIRST, AS_RECORDED or one of BROKEN.
    previous_status: str
    # The break in words, naming the previous plan; empty when the link holds. Its English is what
    # `history --json` writes; `problem_text` is the same in the reader's language.
    problem: str = ""

    @property
    def broken(self) -> bool:
        return self.previous_status in BROKEN

    @property
    def problem_text(self) -> str:
        """The break in words in the reader's language; empty when the link holds."""
        return shown(self.problem)

    def as_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "made_utc": self.made_utc,
            "scenario": self.scenario,
            "round": self.decision_round,
            "frozen_until": self.frozen_until,
            "previous_plan": self.previous_folder,
            "previous_plan_status": self.previous_status,
            "problem": self.problem or None,
        }


def plan_chain(plan_dir: Path) -> list[PlanLink]:
    """The plans from `plan_dir` back to the first, newest first, each with the state of its link
    to the previous one. Raises ManifestUnreadable when `plan_dir` itself is no plan."""
    manifest = read_manifest(plan_dir)
    folder = plan_dir
    seen: set[Path] = set()
    chain: list[PlanLink] = []
    while True:
        seen.add(folder.resolve())
        link = _plan_link(folder, manifest)
        chain.append(link)
        recorded = manifest.get(PREVIOUS_PLAN)
        if link.previous_status != _PENDING or not isinstance(recorded, dict):
            return chain
        previous = Path(recorded["folder"])
        if previous.resolve() in seen:
            link.previous_status = LOOP
            link.problem = phrase(
                N_("its previous plan {previous} is already in the chain (manifest.json edited?)"),
                previous=previous,
            )
            return chain
        path = previous / MANIFEST
        try:
            digest = sha256_of(path)
        except OSError:
            link.previous_status = MISSING
            link.problem = phrase(
                N_("its previous plan {previous} is missing ({path} cannot be read)"),
                previous=previous,
                path=path,
            )
            return chain
        if digest == recorded["manifest_sha256"]:
            link.previous_status = AS_RECORDED
        elif _as_recorded_before_report(path, recorded["manifest_sha256"]):
            link.previous_status = REPORT_ADDED
        else:
            link.previous_status = CHANGED
            link.problem = phrase(
                N_(
                    "its previous plan's {path} has changed since this plan was made "
                    "(its SHA-256 differs from the one recorded)"
                ),
                path=path,
            )
        try:
            manifest = read_manifest(previous)
        except ManifestUnreadable as error:
            link.previous_status = CHANGED
            link.problem = phrase(N_("its previous plan cannot be read: {error}"), error=error)
            return chain
        folder = previous


def _plan_link(folder: Path, manifest: dict[str, Any]) -> PlanLink:
    """What the manifest says of the plan; the link's status is _PENDING when a well-formed link
    is there to follow (plan_chain verifies it), FIRST when there is none."""
    parameters = manifest.get("parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    frozen = parameters.get("freeze_until")
    actuals = parameters.get("actuals")
    if frozen is None and isinstance(actuals, dict):
        frozen = actuals.get("decided_until")
    recorded = manifest.get(PREVIOUS_PLAN)
    named = parameters.get("previous_plan")
    link = PlanLink(
        folder=folder,
        made_utc=_text(manifest.get("time_utc")),
        scenario=_text(manifest.get("scenario")),
        decision_round=_text(parameters.get("round")),
        frozen_until=_text(frozen),
        previous_folder=None,
        previous_status=FIRST,
    )
    if (
        isinstance(recorded, dict)
        and isinstance(recorded.get("folder"), str)
        and isinstance(recorded.get("manifest_sha256"), str)
    ):
        link.previous_folder = recorded["folder"]
        link.previous_status = _PENDING
    elif recorded is not None or named is not None:
        link.previous_folder = _text(named)
        link.previous_status = NOT_RECORDED
        link.problem = phrase(
            N_(
                "its previous plan {previous} is named without the SHA-256 of its {manifest}: "
                "the link cannot be verified"
            ),
            previous=named,
            manifest=MANIFEST,
        )
    return link


def _as_recorded_before_report(path: Path, recorded: str) -> bool:
    """Whether the manifest differs from the recorded one only in listing report.html, as
    `leveransplan report` writing into the plan folder lists it (manifest.record_output): without
    that entry, written as the tool writes it, its SHA-256 is the recorded one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    outputs = document.get("outputs_sha256") if isinstance(document, dict) else None
    if not isinstance(outputs, dict) or outputs.pop(REPORT, None) is None:
        return False
    return hashlib.sha256(json_text(document).encode("utf-8")).hexdigest() == recorded


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
