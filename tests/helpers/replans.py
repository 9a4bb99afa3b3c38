"""A plan and its re-plans whose changes per hospital are derived by hand, for `diff` and the report.

Two hospitals, two months, prices 100 000 SEK. H1 has 40 waiting (inflow 0, so its guarantee
limit floor(3 x 0 / 2) is 0) and 80 additional units (split 40 + 40 over the months); H2 has 80
waiting and no additional units, only contract c1 (provider X, at most 40 a month, 80 in all,
100 000 SEK a referral). Neither hospital may use the other's capacity, nor H1 the contract.

- P (over_guarantee, then cost): H1 buys 40 in 2026-01; H2 refers 40 in each month
  (over_guarantee 40: H2's 40 waiting at the end of 2026-01). Cost 4 + 8 = 12 MSEK; in 2026-02
  H1 spends 0 and H2 4 MSEK.
- R2, re-planned from actuals after 2026-01: H1 did 20 of its 40 (20 still waiting), and H2's
  list fell to 20. R2 buys H1's 20 in 2026-02 (+2 MSEK against P's 0 there) and refers H2's 20
  (2 MSEK against P's 4: -2 MSEK). The region: 4 MSEK in 2026-02 in both plans.
- R31, the same with H1 doing 9 (31 waiting) and H2 down to 9: +3.1 and -3.1 MSEK.
- F, 2026-01 frozen and H1's waiting raised to 60 (a what-if): 2026-01 as in P (H1 40, H2 40, 20
  left at H1), then H1 buys those 20 in 2026-02: H1 +2 MSEK, H2 0, cost 14 MSEK.
- Q, P's scenario with cost first: nothing is bought, no flows (cost 0).

Every plan is solved with --deterministic and checked by the independent checker as it is written.
"""

from __future__ import annotations

from pathlib import Path

from helpers import invoke, write_files

TWO_HOSPITALS = {
    "scenario.toml": 'name = "Two hospitals"\nstart = "2026-01"\nmonths = 2\n\n[objective]\n'
    'volumes = ["over_guarantee", "cost"]\n\n[solver]\ntime_limit_s = 20\nworkers = 1\n',
    "hospitals.csv": "hospital,name\nH1,Hospital 1\nH2,Hospital 2\n",
    "categories.csv": "category,area,kind,specialty,price_class\nk,somatik,forstabesok,Test,besok\n",
    "prices.csv": "hospital,price_class,price_sek\nH1,besok,100000\nH2,besok,100000\n",
    "own_volumes.csv": "hospital,category,base,additional_max\nH1,k,0,80\n",
    "need.csv": "hospital,category,waiting,inflow\nH1,k,40,0\nH2,k,80,0\n",
    "contracts.csv": "contract,provider,category,volume_min,volume_max,price_sek,first_month,last_month,"
    "monthly_max,out_of_region\nc1,X,k,0,80,100000,,,40,false\n",
    "access.csv": "hospital,provider,travel_minutes,allowed\nH1,X,0,false\nH2,H1,0,false\n",
}
# What was reported for 2026-01: (H1 performed, waiting_end), (H2 performed, waiting_end).
ACTUALS = {"R2": ((20, 20), (40, 20)), "R31": ((9, 31), (40, 9))}


def solve_replans(root: Path, *names: str) -> dict[str, Path]:
    """Plan P and the re-plans `names` (of R2, R31, F, Q) in folders of those names under `root`."""
    scenario = write_files(root / "scenario", TWO_HOSPITALS)
    plans = {name: root / name for name in ("P", *names)}

    def solve(out: Path, *flags: str | Path) -> None:
        result = invoke("solve", scenario, "--out", out, "--deterministic", "--quiet", *flags)
        assert result.exit_code == 0, result.output

    solve(plans["P"])
    for name in names:
        if name in ACTUALS:
            (h1_done, h1_left), (h2_done, h2_left) = ACTUALS[name]
            actuals = root / f"{name}.csv"
            actuals.write_text(
                "hospital,category,month,performed,waiting_end\n"
                f"H1,k,2026-01,{h1_done},{h1_left}\nH2,k,2026-01,{h2_done},{h2_left}\n",
                encoding="utf-8",
            )
            solve(plans[name], "--previous", plans["P"], "--freeze-until", "2026-01", "--actuals", actuals)
        elif name == "F":
            frozen = ("--freeze-until", "2026-01", "--set", "need.H1/k.waiting=60")
            solve(plans[name], "--previous", plans["P"], *frozen)
        elif name == "Q":
            solve(plans[name], "--objective", "cost,over_guarantee")
        else:
            raise ValueError(f"no re-plan {name!r}")
    return plans
