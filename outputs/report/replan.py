"""The report's section on a re-plan: what changed against the previous plan it was made from.

The previous plan is the one manifest.json's `previous_plan` names, used only when it is still the
plan this one was made from (the SHA-256 of its manifest.json as recorded, as `history` checks it)
and its files are as that manifest lists them. The comparison is `diff`'s (outputs/diff.py): each
month frozen, replaced by actuals or decided; each hospital's change in SEK over the months
compared and the delegation verdict; the volume table's changes; the changed flows.
"""

from __future__ import annotations

from pathlib import Path

from leveransplan.models.language import N_, _
from leveransplan.models.numbers import grouped, signed
from leveransplan.outputs.diff import (
    ACTUAL,
    DELEGATION_LIMIT_SEK,
    MONTH_KIND_WORDS,
    PlanDiff,
    PlanUnreadable,
    decision_words,
    diff_plans,
    month_span,
    replan_words,
)
from leveransplan.outputs.manifest import ManifestUnreadable, changed_outputs, read_manifest
from leveransplan.outputs.report.html import element, escaped, html_table, number_text
from leveransplan.outputs.report.plan import Plan

TITLE = N_("Changes against the previous plan")
# The kind of each month compared, as the page names it (the CSV files keep the codes).
# Rows of a table shown open on the page; a longer table is folded away (`diff` lists them all).
_SHOWN_ROWS = 25


def replan_section(plan: Plan) -> str | None:
    """What changed against the previous plan, or why it cannot be shown; None when the plan was
    made from no previous plan."""
    link = plan.recorded(dict, "previous_plan")
    if not link or not isinstance(link.get("folder"), str):
        return None
    previous = Path(link["folder"])
    head = f'<section id="replan"><h2>{escaped(_(TITLE))}</h2>'
    problem = _previous_problem(plan.folder, previous)
    if problem is None:
        try:
            result = diff_plans(previous, plan.folder)
        except PlanUnreadable as error:
            problem = str(error)
    if problem is not None:
        words = _("No comparison with the previous plan: {problem}.").format(problem=problem)
        return f'{head}<p class="warn">{escaped(words)}</p></section>'
    return head + _comparison(result, str(previous)) + "</section>"


def _previous_problem(plan_dir: Path, previous: Path) -> str | None:
    """Why the previous plan cannot be compared with (missing, changed since), or None."""
    # Imported here: the chain module reads the report's file name from publish, which writes reports.
    from leveransplan.outputs.chain import AS_RECORDED, REPORT_ADDED, plan_chain

    try:
        link = plan_chain(plan_dir)[0]
        files = changed_outputs(previous, read_manifest(previous))
    except ManifestUnreadable as error:
        return _("{folder} cannot be read ({error})").format(folder=previous, error=error)
    if link.previous_status not in (AS_RECORDED, REPORT_ADDED):
        return link.problem_text or _("{folder} is not the plan this one was made from").format(
            folder=previous
        )
    if files:
        return _("{folder} is not as written: {file}").format(folder=previous, file=files[0])
    return None


def _comparison(result: PlanDiff, previous: str) -> str:
    # The subject of diff's sentences, which begin with it.
    words = replan_words(result, previous, _("This plan")) or [
        _("This plan was made from {folder} and froze no month: the whole plans are compared.").format(
            folder=previous
        )
    ]
    parts = [f"<p>{escaped(sentence)}</p>" for sentence in words]
    if result.cost_change_sek is not None:
        verdict = "warn" if result.needs_committee else "note"
        parts.append(f'<p class="{verdict}">{escaped(decision_words(result))}</p>')
    if result.hospitals:
        heading = (
            _("Spend per hospital (its patients' care beyond bas, over the months compared)")
            if result.actual is not None
            else _("Spend per hospital (its patients' care beyond bas)")
        )
        parts.append(f"<h3>{escaped(heading)}</h3>")
        beyond = _("beyond {limit} SEK: committee").format(limit=grouped(DELEGATION_LIMIT_SEK))
        parts.append(
            html_table(
                [_("hospital"), _("SEK previous plan"), _("SEK this plan"), _("change"), _("delegation")],
                [
                    [
                        h.hospital,
                        h.spend_a_sek,
                        h.spend_b_sek,
                        signed(h.change_sek),
                        beyond if h.beyond_delegation else _("within"),
                    ]
                    for h in result.hospitals
                ],
                numeric=[False, True, True, True, False],
            )
        )
    if result.actual is not None:
        actual = result.actual
        heading = _("Months replaced by actuals ({months})").format(months=month_span(actual.months))
        parts.append(f"<h3>{escaped(heading)}</h3>")
        note = _(
            "The previous plan had {flows} flows ({referrals} referrals) in these months. They happened "
            "as reported, so they are neither removals nor part of the comparison; the previous plan's "
            "spend in them:"
        ).format(flows=number_text(actual.flows), referrals=number_text(actual.referrals))
        parts.append(f'<p class="note">{escaped(note)}</p>')
        rows: list[list[object]] = [[h, sek] for h, sek in actual.spend_a_sek.items()]
        parts.append(
            html_table(
                [_("hospital"), _("SEK planned")],
                rows,
                numeric=[False, True],
                total=[_("all hospitals"), actual.cost_a_sek],
            )
        )
    parts.append(element("h3", _("Volume table changes (bas and tillägg)")))
    no_change = element("p", _("No change."), "note")
    if result.volume_table:
        parts.append(
            _folded(
                len(result.volume_table),
                _("changed rows"),
                html_table(
                    [
                        _("hospital"),
                        _("category"),
                        _("bas before"),
                        _("bas now"),
                        _("tillägg before"),
                        _("tillägg now"),
                        _("uppdrag change"),
                    ],
                    [
                        [
                            r["hospital"],
                            r["category"],
                            r["bas_a"],
                            r["bas_b"],
                            r["tillagg_a"],
                            r["tillagg_b"],
                            signed(r["uppdrag_change"]),
                        ]
                        for r in result.volume_table
                    ],
                    numeric=[False, False, True, True, True, True, True],
                ),
            )
        )
    else:
        parts.append(no_change)
    parts.append(element("h3", _("Referrals that change")))
    changed = result.changed_flows
    if changed:
        table = html_table(
            [
                _("month"),
                _("kind"),
                _("hospital"),
                _("provider"),
                _("before"),
                _("now"),
                _("change"),
                _("SEK change"),
            ],
            [
                [
                    r["month"],
                    _(MONTH_KIND_WORDS[r["month_kind"]])
                    if r["month_kind"] in MONTH_KIND_WORDS
                    else r["month_kind"],
                    r["hospital"],
                    r["provider"],
                    r["volume_a"],
                    r["volume_b"],
                    signed(r["volume_change"]),
                    signed(r["cost_change_sek"]),
                ]
                for r in changed
            ],
            numeric=[False, False, False, False, True, True, True, True],
        )
        parts.append(_folded(len(changed), _("changed flows"), table))
    else:
        parts.append(no_change)
    if any(kind == ACTUAL for kind in result.months.values()):
        note = _(
            "Months replaced by actuals are listed above, not here: {command} writes every flow with its "
            "kind of month to a CSV file."
        ).format(command="<code>leveransplan diff</code>")
        parts.append(f'<p class="note">{note}</p>')
    return "".join(parts)


def _folded(rows: int, what: str, table: str) -> str:
    """A table longer than _SHOWN_ROWS rows behind a summary line that opens it."""
    if rows <= _SHOWN_ROWS:
        return table
    return f"<details><summary>{number_text(rows)} {escaped(what)}</summary>{table}</details>"
