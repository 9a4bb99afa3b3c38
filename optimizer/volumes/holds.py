"""What the stages solved so far hold the later ones to, and the money every stage keeps within.

A stage solved category by category holds each category's value; a stage solved over the
coupled categories holds its value over them together (with its proven bound as a floor); the
equity stage holds its value as a cap on every hospital. The budget and the hospitals' frames
are not holds but rules every plan keeps, and like equity they couple the categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues, frames_kept
from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.optimizer.volumes.decomposition import SPEND, ColumnsResult
from leveransplan.optimizer.volumes.model import VolumeModel


@dataclass
class Money:
    """The budget on the plan's cost and each hospital's frame (spec section 7): with either,
    money couples every category."""

    data: VolumeData
    budget: int | None
    frames: dict[str, int]

    @property
    def couples(self) -> bool:
        return self.budget is not None or bool(self.frames)

    def kept(self, plan: Decisions, values: TermValues | None = None) -> bool:
        """Whether `plan` keeps within the budget and every hospital's frame."""
        if not self.couples:
            return True
        values = values if values is not None else TermValues(self.data, plan)
        if self.budget is not None and values.term("cost") > self.budget:
            return False
        return frames_kept(self.data, values)

    def add_rules(self, model: VolumeModel, fixed: TermValues) -> None:
        """The budget and the frames on a model of some categories, the others as in `fixed`."""
        chosen = set(model.categories)
        others = [k for k in self.data.categories if k not in chosen]
        if self.budget is not None:
            model.add_budget(self.budget - fixed.term("cost", others))
        if self.frames:
            model.add_frames({h: frame - fixed.spend(h, others) for h, frame in self.frames.items()})

    def words(self) -> str:
        """What a plan must keep within, for the message that no plan does."""
        words = []
        if self.budget is not None:
            words.append(_("the budget of {amount} SEK").format(amount=grouped(self.budget)))
        if self.frames:
            words.append(
                _("the hospitals' frames")
                if len(self.frames) > 1
                else _("{hospital}'s frame").format(hospital=next(iter(self.frames)))
            )
        return " " + _("within {limits}").format(limits=_(" and ").join(words)) if words else ""


@dataclass
class Holds:
    """The values the stages solved so far hold the later stages to."""

    # Per category: (term, category) -> value, and whether that value was proven optimal.
    value: dict[tuple[str, str], int] = field(default_factory=dict)
    optimal: dict[tuple[str, str], bool] = field(default_factory=dict)
    # Once a stage couples the categories: which ones, and each term held over them jointly,
    # with its proven bound as a floor (see VolumeModel.hold).
    coupled: list[str] | None = None
    jointly: dict[str, int] = field(default_factory=dict)
    floor: dict[str, int] = field(default_factory=dict)
    # The equity stage's value, a cap on every hospital (None before it), and the categories it
    # found coupled (None before it).
    equity: int | None = None
    contested: list[str] | None = None

    def hold_each(self, term: str, category: str, value: int, optimal: bool) -> None:
        self.value[term, category] = value
        self.optimal[term, category] = optimal

    def hold_jointly(self, term: str, value: int, bound: int) -> None:
        self.jointly[term] = value
        self.floor[term] = bound

    def add_to(self, model: VolumeModel, categories: set[str]) -> None:
        """Each of `categories`' own holds on `model`, category by category."""
        for (term, k), value in self.value.items():
            if k in categories:
                model.hold(term, value, [k])

    def kept(self, values: TermValues, coupled: list[str]) -> bool:
        """Whether the plan of `values` keeps every term held so far, over the coupled
        categories and in each."""
        if any(values.term(held, coupled) > value for held, value in self.jointly.items()):
            return False
        chosen = set(coupled)
        return all(values.term(held, [k]) <= value for (held, k), value in self.value.items() if k in chosen)

    def capped_terms(self, money: Money) -> list[str]:
        """Terms whose per-category values a restricted improvement must not raise."""
        return [*self.jointly, *(["cost"] if money.budget is not None else [])]

    def linking(
        self, money: Money, plan: Decisions, previous: Decisions | None, categories: list[str]
    ) -> dict[str, int]:
        """The rows that link `categories` besides equity: every term held over them, the
        budget less the cost of the other categories, and each frame less the spend there
        (the other categories as in `plan`)."""
        held = dict(self.jointly)
        if not money.couples:
            return held
        chosen = set(categories)
        outside = [k for k in money.data.categories if k not in chosen]
        values = TermValues(money.data, plan, previous)
        if money.budget is not None:
            cap = money.budget - values.term("cost", outside)
            held["cost"] = min(held.get("cost", cap), cap)
        for h, frame in money.frames.items():
            held[f"{SPEND}{h}"] = frame - values.spend(h, outside)
        return held


def hold_in_networks(columns: ColumnsResult, value: int, stages_left: int) -> None:
    """The stage's value held in the networks (ColumnsResult.hold) for the stages after it;
    not after the last stage that solves anything: no stage would use it, and at national
    scale holding it costs seconds that would run the solve past its time limit."""
    if stages_left > 1:
        columns.hold(value)
