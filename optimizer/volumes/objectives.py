"""The volume model's objective terms (spec section 4) as linear expressions, per category."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, changed_hospital
from leveransplan.optimizer.volumes.variables import Variables

LinearTerms = dict[str, cp_model.LinearExprT]


def _upper_bound(var: cp_model.IntVar) -> int:
    """Largest value in a variable's domain (the proto's repeated field has no negative index)."""
    domain = var.proto.domain
    return int(domain[len(domain) - 1])


class Objectives:
    """Each separable term as a dict category -> expression; equity as one variable."""

    def __init__(
        self,
        model: cp_model.CpModel,
        data: VolumeData,
        variables: Variables,
        previous: Decisions | None,
    ) -> None:
        self.model = model
        self.data = data
        self.vars = variables
        self.by_category: dict[str, LinearTerms] = {
            "over_guarantee": self._over_guarantee(),
            "out_of_region": self._out_of_region(),
            "procured": self._procured(),
            "cost": self._cost(),
            "travel": self._travel(),
            "stability": self._stability(previous),
        }
        self.equity: cp_model.IntVar | None = None
        # Each hospital's change, made when a stage first holds it (a re-plan's change allowance).
        self._changes: dict[str, LinearTerms] = {}
        # Made on first use: only a scenario with frames asks for a hospital's spend.
        self._spend: dict[tuple[str, str], list[tuple[cp_model.IntVar, int]]] | None = None

    def _grouped(self, pairs: list[tuple[str, cp_model.LinearExprT]]) -> LinearTerms:
        grouped: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
        for category, expression in pairs:
            grouped[category].append(expression)
        return {k: sum(grouped.get(k, [])) for k in self.vars.categories}  # type: ignore[misc]

    def _over_guarantee(self) -> LinearTerms:
        """Patient-months beyond the guarantee limit."""
        return self._grouped([(k, var) for (_h, k, _m), var in self.vars.over.items()])

    def over_of_hospital(self, hospital: str) -> cp_model.LinearExprT:
        """X_h over this model's categories."""
        return sum(var for (h, _k, _m), var in self.vars.over.items() if h == hospital)  # type: ignore[return-value]

    def _out_of_region(self) -> LinearTerms:
        """Patients referred to providers in another region."""
        return self._grouped(
            [
                (self.data.contracts[c].category, var)
                for (_h, c, _m), var in self.vars.referrals.items()
                if self.data.contracts[c].out_of_region
            ]
        )

    def _procured(self) -> LinearTerms:
        """Units referred to candidate contracts, which the region would have to procure."""
        return self._grouped(
            [
                (self.data.contracts[c].category, var)
                for (_h, c, _m), var in self.vars.referrals.items()
                if self.data.contracts[c].candidate
            ]
        )

    def _cost(self) -> LinearTerms:
        """SEK: additional units at the producer's price, referrals and unused take-or-pay minimums."""
        data = self.data
        terms: list[tuple[str, cp_model.LinearExprT]] = []
        for (h, k, _m), var in self.vars.additional_own.items():
            terms.append((k, data.additional_price(h, k) * var))
        for (_h, g, k, _m), var in self.vars.transfers.items():
            terms.append((k, data.additional_price(g, k) * var))
        for (_h, c, _m), var in self.vars.referrals.items():
            terms.append((data.contracts[c].category, data.contracts[c].price_sek * var))
        for c, var in self.vars.unused_min.items():
            terms.append((data.contracts[c].category, data.contracts[c].price_sek * var))
        return self._grouped(terms)

    def spend(self, hospital: str, categories: list[str] | None = None) -> cp_model.LinearExprT:
        """SEK spent on `hospital`'s patients over `categories` (this model's when None): its own
        additional units, its patients' transfers at the receiving hospital's price and its
        patients' referrals. Unused take-or-pay minimums are in no hospital's spend."""
        if self._spend is None:
            self._spend = self._spend_by_hospital_category()
        chosen = self.vars.categories if categories is None else categories
        variables: list[cp_model.IntVar] = []
        prices: list[int] = []
        for k in chosen:
            for var, price in self._spend.get((hospital, k), ()):
                variables.append(var)
                prices.append(price)
        return cp_model.LinearExpr.weighted_sum(variables, prices)

    def _spend_by_hospital_category(self) -> dict[tuple[str, str], list[tuple[cp_model.IntVar, int]]]:
        """Each decision that spends on a hospital's patients, with its price, by (hospital, category)."""
        data = self.data
        spend: dict[tuple[str, str], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        for (h, k, _m), var in self.vars.additional_own.items():
            spend[h, k].append((var, data.additional_price(h, k)))
        for (h, g, k, _m), var in self.vars.transfers.items():
            spend[h, k].append((var, data.additional_price(g, k)))
        for (h, c, _m), var in self.vars.referrals.items():
            spend[h, data.contracts[c].category].append((var, data.contracts[c].price_sek))
        return spend

    def _travel(self) -> LinearTerms:
        """Patient travel minutes for transfers and referrals."""
        data = self.data
        terms: list[tuple[str, cp_model.LinearExprT]] = []
        for (h, g, k, _m), var in self.vars.transfers.items():
            terms.append((k, data.travel_minutes(h, g) * var))
        for (h, c, _m), var in self.vars.referrals.items():
            terms.append(
                (data.contracts[c].category, data.travel_minutes(h, data.contracts[c].provider) * var)
            )
        return self._grouped(terms)

    def _stability(self, previous: Decisions | None) -> LinearTerms:
        """sum |x - x_prev| over a, t and e; 0 without a previous plan."""
        # Each decision's |x - x_prev| (a deviation variable, or a constant where the model
        # cannot make the previous plan's flow), keyed as the decision, with its category.
        # `kind`: a, t or e.
        self.moved: list[tuple[str, tuple[Any, ...], str, cp_model.LinearExprT]] = []
        if previous is None:
            return self._grouped([])
        data = self.data
        chosen = set(self.vars.categories)
        flows: tuple[tuple[dict[Any, cp_model.IntVar], dict[Any, int], Callable[[Any], str]], ...] = (
            (self.vars.additional_own, previous.additional_own, lambda key: key[1]),
            (self.vars.transfers, previous.transfers, lambda key: key[2]),
            (self.vars.referrals, previous.referrals, lambda key: data.contracts[key[1]].category),
        )
        for kind, (variables, earlier, category_of) in zip("ate", flows, strict=True):
            for key, var in variables.items():
                before = earlier.get(key, 0)
                deviation = self.model.new_int_var(0, max(before, _upper_bound(var)), f"dev[{var.name}]")
                self.model.add(deviation >= var - before)
                self.model.add(deviation >= before - var)
                self.moved.append((kind, key, category_of(key), deviation))
            for key, before in earlier.items():
                # A flow the previous plan had but this model cannot make counts in full.
                if key not in variables and category_of(key) in chosen and before:
                    self.moved.append((kind, key, category_of(key), before))
        return self._grouped([(k, moved) for _kind, _key, k, moved in self.moved])

    def change(self, term: str) -> LinearTerms:
        """A hospital's change against the previous plan (`change:<h>` in units, `change_sek:<h>`
        in SEK, models.evaluation.change_term), per category: its own additional units, its
        patients' transfers and referrals, each unit at the price it is paid at."""
        if term not in self._changes:
            measured = changed_hospital(term)
            assert measured is not None, term
            hospital, in_sek = measured
            self._changes[term] = self._grouped(
                [
                    (k, (self._unit_price(kind, key, k) if in_sek else 1) * moved)
                    for kind, key, k, moved in self.moved
                    if key[0] == hospital
                ]
            )
        return self._changes[term]

    def _unit_price(self, kind: str, key: tuple[Any, ...], category: str) -> int:
        """What a decision's unit is paid at (a: the hospital's price, t: the receiving
        hospital's, e: the contract's); 0 where the scenario has no price (models.evaluation.changes)."""
        data = self.data
        if kind == "e":
            return data.contracts[key[1]].price_sek
        producer = key[1] if kind == "t" else key[0]
        return data.prices.get((producer, data.price_class[category]), 0)

    def equity_variable(self, over_outside: dict[str, int]) -> cp_model.IntVar:
        """E with 1000*(X_h + X_h outside this model) <= E * I_h for every hospital with inflow."""
        if self.equity is None:
            bound = 0
            for h in self.data.hospitals:
                inflow = self.data.hospital_inflow(h)
                if inflow > 0:
                    most = sum(_upper_bound(v) for (hh, _k, _m), v in self.vars.over.items() if hh == h)
                    bound = max(bound, -(-1000 * (most + over_outside.get(h, 0)) // inflow))
            self.equity = self.model.new_int_var(0, bound, "equity")
            self.add_equity_cap(over_outside, self.equity)
        return self.equity

    def add_equity_cap(self, over_outside: dict[str, int], cap: cp_model.LinearExprT) -> None:
        """ceil(1000 X_h / I_h) <= cap, i.e. 1000 X_h <= cap * I_h, for every hospital with inflow."""
        for h in self.data.hospitals:
            inflow = self.data.hospital_inflow(h)
            if inflow > 0:
                self.model.add(1000 * (self.over_of_hospital(h) + over_outside.get(h, 0)) <= cap * inflow)
