"""Write the CSV tables of the default scenario inputs/vgr-2026/ (standard library only).

    python inputs/build_vgr_2026.py            # (re)write inputs/vgr-2026/*.csv
    python inputs/build_vgr_2026.py --check    # compare with the files there, write nothing

The output is deterministic: running it again reproduces the CSV files byte for byte.
scenario.toml and README.md are written by hand and are not touched.

REAL figures (copied from the 2026 assignment to Södra Älvsborgs Sjukhus,
seeds/000_ef548236a434049e.txt, extracted to shared/data/vgr-2026/):
  - the five hospital codes and names (hospitals.csv),
  - SÄS base (bas) and additional (tillägg) volumes for the 49 categories (sas_volumes_2026.csv),
  - the additional-volume prices per hospital (additional_volume_prices_2026.csv).
They are embedded below so that the script needs no file outside the repository;
`--source DIR` checks them against the extracted CSV files in DIR.

ILLUSTRATIVE figures (invented here by the fixed rules below, labelled as such in README.md):
the other four hospitals' volumes, every waiting list and inflow, the capacity profile,
the external contracts and the travel times.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import math
import sys
from pathlib import Path
from typing import Any

SCENARIO_DIR = Path(__file__).resolve().parent / "vgr-2026"
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
H = len(MONTHS)

# ---------------------------------------------------------------------------------------------
# REAL: hospitals (shared/data/vgr-2026/hospitals.csv)
HOSPITALS = [
    ("SU", "Sahlgrenska Universitetssjukhuset"),
    ("NU", "NU-sjukvården"),
    ("SkaS", "Skaraborgs Sjukhus"),
    ("SÄS", "Södra Älvsborgs Sjukhus"),
    ("SV", "Sjukhusen i väster"),
]
HOSPITAL_CODES = [h for h, _ in HOSPITALS]

# REAL: SÄS volume table 2026 (shared/data/vgr-2026/sas_volumes_2026.csv), in the decision's
# order: (category code, area, kind, specialty, bas, tillagg). The codes are ours.
SAS_VOLUMES = [
    ("FB-BUP", "psykiatri", "forstabesok", "BUP", 1177, 503),
    ("FB-VUP", "psykiatri", "forstabesok", "VUP", 712, 308),
    ("UT-BUP", "psykiatri", "utredning", "BUP", 60, 0),
    ("UT-VUP", "psykiatri", "utredning", "VUP", 1023, 437),
    ("BE-BUP", "psykiatri", "behandling", "BUP", 1722, 738),
    ("BE-VUP", "psykiatri", "behandling", "VUP", 1502, 648),
    ("FB-ALLERGI", "somatik", "forstabesok", "Allergologi", 70, 70),
    ("FB-ALLMKIR", "somatik", "forstabesok", "Allmän kirurgi", 2030, 570),
    ("FB-BARNKIR", "somatik", "forstabesok", "Barnkirurgi", 0, 0),
    ("FB-BUM", "somatik", "forstabesok", "BUM", 595, 205),
    ("FB-GYN", "somatik", "forstabesok", "Gynekologi", 3850, 1020),
    ("FB-HANDKIR", "somatik", "forstabesok", "Handkirurgi", 0, 0),
    ("FB-HUD", "somatik", "forstabesok", "Hud", 3413, 1587),
    ("FB-INTERNMED", "somatik", "forstabesok", "Internmedicin", 910, 90),
    ("FB-KARDIO", "somatik", "forstabesok", "Kardiologi", 1225, 375),
    ("FB-KARLKIR", "somatik", "forstabesok", "Kärlkirurgi", 420, 310),
    ("FB-LOGOPEDI", "somatik", "forstabesok", "Logopedi", 413, 37),
    ("FB-LUNG", "somatik", "forstabesok", "Lungmedicin", 525, 75),
    ("FB-NEUROKIR", "somatik", "forstabesok", "Neurokirurgi", 0, 0),
    ("FB-NEURO", "somatik", "forstabesok", "Neurologi", 350, 100),
    ("FB-NJUR", "somatik", "forstabesok", "Njurmedicin", 210, 0),
    ("FB-ONKO", "somatik", "forstabesok", "Onkologi", 25, 0),
    ("FB-ORTO", "somatik", "forstabesok", "Ortopedi", 2940, 1560),
    ("FB-PLASTIK", "somatik", "forstabesok", "Plastikkirurgi", 0, 0),
    ("FB-REUMA", "somatik", "forstabesok", "Reumatologi", 245, 135),
    ("FB-URO", "somatik", "forstabesok", "Urologi", 1190, 410),
    ("FB-OGON", "somatik", "forstabesok", "Ögon", 3500, 3200),
    ("FB-ONH", "somatik", "forstabesok", "ÖNH", 3185, 1465),
    ("OP-ABLATION", "somatik", "operation_atgard", "Ablation", 0, 0),
    ("OP-ALLMKIR", "somatik", "operation_atgard", "Allmän kirurgi", 1750, 1000),
    ("OP-AXELPROTES", "somatik", "operation_atgard", "Axelprotes", 24, 26),
    ("OP-BARNKIR", "somatik", "operation_atgard", "Barnkirurgi", 0, 0),
    ("OP-GYN", "somatik", "operation_atgard", "Gynekologi", 875, 305),
    ("OP-HANDKIR", "somatik", "operation_atgard", "Handkirurgi", 0, 0),
    ("OP-HOFT-KNA", "somatik", "operation_atgard", "Höft- & knäprotes", 350, 450),
    ("OP-KARDIO", "somatik", "operation_atgard", "Kardiologi", 119, 35),
    ("OP-KATARAKT", "somatik", "operation_atgard", "Katarakt", 1190, 510),
    ("OP-KARLKIR", "somatik", "operation_atgard", "Kärlkirurgi", 0, 0),
    ("OP-NEUROKIR", "somatik", "operation_atgard", "Neurokirurgi", 0, 0),
    ("OP-OBESITAS", "somatik", "operation_atgard", "Obesitas", 0, 0),
    ("OP-PLASTIK", "somatik", "operation_atgard", "Plastikkirurgi", 0, 0),
    ("OP-RYGG", "somatik", "operation_atgard", "Rygg", 0, 0),
    ("OP-THORAX", "somatik", "operation_atgard", "Thorax", 0, 0),
    ("OP-URO", "somatik", "operation_atgard", "Urologi", 455, 345),
    ("OP-ONH", "somatik", "operation_atgard", "ÖNH", 1050, 470),
    ("OP-OVR-ORTO", "somatik", "operation_atgard", "Övrig ortopedi", 799, 1401),
    ("OP-OVR-OGON", "somatik", "operation_atgard", "Övriga ögon", 140, 160),
    ("US-GASTRO", "somatik", "undersokning", "Gastroskopi", 2100, 1550),
    ("US-KOLO", "somatik", "undersokning", "Koloskopi", 1260, 1940),
]
CATEGORY_CODES = [row[0] for row in SAS_VOLUMES]
KIND = {row[0]: row[2] for row in SAS_VOLUMES}

# REAL: additional-volume prices 2026 (shared/data/vgr-2026/additional_volume_prices_2026.csv).
PRICES = [
    ("SU", "besok", 2503),
    ("NU", "besok", 2503),
    ("SkaS", "besok", 2503),
    ("SÄS", "besok", 2503),
    ("SV", "besok", 2503),
    ("SU", "behandling", 35795),
    ("NU", "behandling", 35795),
    ("SkaS", "behandling", 35795),
    ("SÄS", "behandling", 35795),
    ("SV", "behandling", 35795),
    ("SV", "skopi", 4459),
    ("NU", "skopi", 4955),
    ("SkaS", "skopi", 4770),
    ("SU", "skopi", 4914),
    ("SÄS", "skopi", 4997),
]

# Price class by kind (the decision: visits 2 503 SEK, treatments the DRG price, gastroscopy and
# colonoscopy hospital-specific). Reading utredning as a visit is the analysts' interpretation.
PRICE_CLASS = {
    "forstabesok": "besok",
    "utredning": "besok",
    "behandling": "behandling",
    "operation_atgard": "behandling",
    "undersokning": "skopi",
}

# ---------------------------------------------------------------------------------------------
# ILLUSTRATIVE rules.


def unit(*key: object) -> float:
    """A deterministic pseudo-random number in [0, 1) from the key (SHA-256, no global state)."""
    text = "vgr-2026|" + "|".join(str(k) for k in key)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") / 2.0**64


def between(lo: float, hi: float, *key: object) -> float:
    return lo + (hi - lo) * unit(*key)


# Size of each hospital relative to SÄS (SÄS = 1: its figures are the decision's).
SIZE = {"SU": 2.3, "NU": 1.1, "SkaS": 0.9, "SV": 0.6}

# Categories a scaled hospital does not run (SV: no oncology, nephrology or cardiac procedures).
NOT_RUN = {("SV", "FB-ONKO"), ("SV", "FB-NJUR"), ("SV", "OP-KARDIO")}

# Regional / highly specialised categories that SÄS does not run (0 and 0 in the decision):
# run at SU and in a few cases one more hospital; (hospital, category): (base, additional).
REGIONAL = {
    ("SU", "FB-BARNKIR"): (2400, 300),
    ("SU", "FB-HANDKIR"): (3200, 600),
    ("SkaS", "FB-HANDKIR"): (900, 150),
    ("SU", "FB-NEUROKIR"): (1400, 200),
    ("SU", "FB-PLASTIK"): (1500, 250),
    ("SU", "OP-ABLATION"): (900, 150),
    ("SU", "OP-BARNKIR"): (1600, 250),
    ("SU", "OP-HANDKIR"): (2600, 500),
    ("SkaS", "OP-HANDKIR"): (700, 150),
    ("SU", "OP-KARLKIR"): (1200, 250),
    ("NU", "OP-KARLKIR"): (400, 100),
    ("SU", "OP-NEUROKIR"): (900, 120),
    ("SU", "OP-OBESITAS"): (700, 150),
    ("SkaS", "OP-OBESITAS"): (400, 100),
    ("SU", "OP-PLASTIK"): (900, 150),
    ("SU", "OP-RYGG"): (800, 200),
    ("NU", "OP-RYGG"): (250, 80),
    ("SU", "OP-THORAX"): (1100, 100),
}

# Deficit categories: structural deficit d (inflow = capacity * (1 + d * pressure * noise)),
# weight of the start-of-year excess (in years of inflow, before scaling to the targets), and the
# hospitals that instead have spare additional capacity in that category.
DEFICIT = {
    "OP-KATARAKT": (0.30, 0.30, {"SkaS"}),
    "OP-HOFT-KNA": (0.12, 0.35, {"SkaS"}),
    "OP-OVR-ORTO": (0.08, 0.25, {"SV"}),
    "OP-ONH": (0.09, 0.20, {"NU"}),
    "OP-ALLMKIR": (0.05, 0.10, {"SkaS"}),
    "OP-GYN": (0.05, 0.10, {"SV"}),
    "OP-URO": (0.10, 0.15, {"NU"}),
    "OP-KARLKIR": (0.10, 0.30, set()),
    "OP-RYGG": (0.08, 0.30, {"NU"}),
    "US-GASTRO": (0.12, 0.12, {"NU"}),
    "US-KOLO": (0.12, 0.18, {"SV"}),
    "FB-OGON": (0.08, 0.10, {"SkaS"}),
    "FB-HUD": (0.10, 0.12, {"NU"}),
    "FB-ORTO": (0.06, 0.08, {"SV"}),
    "FB-ONH": (0.06, 0.08, {"SkaS"}),
    "FB-GYN": (0.05, 0.06, {"NU"}),
    "FB-BUP": (0.08, 0.10, {"SkaS", "SV"}),
}
# How hard each hospital is pressed (multiplies deficit and excess).
PRESSURE = {"SU": 1.1, "NU": 1.0, "SkaS": 0.7, "SÄS": 1.1, "SV": 0.9}
# Start-of-year excess over the guarantee limit, summed over all hospitals: operations and
# procedures (OP- and US-; about the region's 2023 average of patients waiting beyond 90 days
# for an operation or procedure) and first visits (FB-).
EXCESS_TARGET = {"OP/US": 14000, "FB": 12000}

# Capacity profile: summer and Christmas dip everywhere; an EHR (Millennium) go-live at SV.
SEASON = {"2026-06": "0.8", "2026-07": "0.5", "2026-08": "0.8", "2026-12": "0.9"}
EHR_GO_LIVE = {"SV": {"2026-10": "0.6", "2026-11": "0.6"}}

# Providers (neutral codes, never real companies) and their home towns; the towns Jönköping,
# Halmstad and Varberg lie outside the region (their contracts are marked out_of_region).
PROVIDERS = {
    "P-OGON-A": "Göteborg",
    "P-OGON-B": "Trollhättan",
    "P-OGON-C": "Lidköping",
    "P-OGON-X": "Jönköping",
    "P-ORTO-A": "Mölndal",
    "P-ORTO-B": "Borås",
    "P-ORTO-X": "Halmstad",
    "P-SKOPI-A": "Göteborg",
    "P-SKOPI-B": "Skövde",
    "P-SKOPI-X": "Varberg",
    "P-ONH-A": "Göteborg",
    "P-ONH-B": "Uddevalla",
    "P-KARL-A": "Göteborg",
    "P-KARL-B": "Borås",
    "P-URO-A": "Göteborg",
    "P-URO-B": "Trollhättan",
    "P-KIR-A": "Kungälv",
    "P-KIR-B": "Falköping",
    "P-GYN-A": "Göteborg",
    "P-GYN-B": "Borås",
    "P-HUD-A": "Göteborg",
    "P-HUD-B": "Skövde",
}

# Drive time in minutes from each hospital's catchment area to a town.
TOWN_MINUTES = {  # town: (SU, NU, SkaS, SÄS, SV)
    "Göteborg": (20, 65, 110, 55, 35),
    "Mölndal": (20, 75, 105, 50, 40),
    "Kungälv": (25, 50, 120, 70, 25),
    "Trollhättan": (65, 25, 100, 90, 50),
    "Uddevalla": (75, 25, 115, 105, 50),
    "Skövde": (110, 105, 20, 90, 80),
    "Lidköping": (100, 65, 40, 100, 85),
    "Falköping": (95, 100, 30, 65, 80),
    "Borås": (55, 95, 90, 20, 50),
    "Jönköping": (130, 150, 75, 85, 125),
    "Halmstad": (105, 145, 150, 100, 120),
    "Varberg": (75, 120, 140, 75, 95),
}

# Drive time in minutes for hospital h's patients to hospital g (symmetric).
HOSPITAL_MINUTES = {
    ("SU", "NU"): 65,
    ("SU", "SkaS"): 110,
    ("SU", "SÄS"): 55,
    ("SU", "SV"): 35,
    ("NU", "SkaS"): 100,
    ("NU", "SÄS"): 95,
    ("NU", "SV"): 50,
    ("SkaS", "SÄS"): 90,
    ("SkaS", "SV"): 80,
    ("SÄS", "SV"): 50,
}

# Pairs (hospital, provider) that are not allowed: P-ONH-B's agreement covers only the northern
# and Göteborg parts of the region; P-SKOPI-B's only the eastern and southern parts.
NOT_ALLOWED = {("SkaS", "P-ONH-B"), ("SÄS", "P-ONH-B"), ("NU", "P-SKOPI-B")}

# Region-wide contracts: contract, provider, category, volume_min, volume_max, price_sek,
# first_month, last_month, monthly_max, out_of_region ("" = empty cell / default).
CONTRACTS = [
    ("KAT-1", "P-OGON-A", "OP-KATARAKT", 1400, 1800, 9500, "", "", 170, ""),
    ("KAT-2", "P-OGON-B", "OP-KATARAKT", 600, 900, 10200, "", "", 90, ""),
    ("KAT-3", "P-OGON-C", "OP-KATARAKT", 300, 700, 11000, "2026-03", "", 80, ""),
    ("KAT-4", "P-OGON-X", "OP-KATARAKT", 0, 300, 13500, "", "", 40, "true"),
    ("HK-1", "P-ORTO-A", "OP-HOFT-KNA", 350, 500, 68000, "", "", 50, ""),
    ("HK-2", "P-ORTO-B", "OP-HOFT-KNA", 150, 300, 74000, "2026-04", "", 40, ""),
    ("HK-3", "P-ORTO-X", "OP-HOFT-KNA", 0, 120, 86000, "", "", 15, "true"),
    ("ORT-1", "P-ORTO-A", "OP-OVR-ORTO", 700, 1000, 22000, "", "", 100, ""),
    ("ORT-2", "P-ORTO-B", "OP-OVR-ORTO", 300, 500, 24500, "", "", 50, ""),
    ("GAS-1", "P-SKOPI-A", "US-GASTRO", 800, 1000, 3900, "", "", 100, ""),
    ("GAS-2", "P-SKOPI-B", "US-GASTRO", 300, 500, 4200, "", "", 50, ""),
    ("KOL-1", "P-SKOPI-A", "US-KOLO", 500, 700, 4600, "", "2026-06", 130, ""),
    ("KOL-2", "P-SKOPI-B", "US-KOLO", 600, 900, 5200, "", "", 90, ""),
    ("KOL-3", "P-SKOPI-X", "US-KOLO", 0, 300, 6400, "", "", 40, "true"),
    ("ONH-1", "P-ONH-A", "OP-ONH", 350, 500, 19500, "", "", 50, ""),
    ("ONH-2", "P-ONH-B", "OP-ONH", 0, 250, 21000, "", "", 25, ""),
    ("KARL-1", "P-KARL-A", "OP-KARLKIR", 150, 250, 16000, "", "", 25, ""),
    ("KARL-2", "P-KARL-B", "OP-KARLKIR", 0, 120, 17500, "", "", 15, ""),
    ("URO-1", "P-URO-A", "OP-URO", 150, 250, 21000, "", "", 25, ""),
    ("URO-2", "P-URO-B", "OP-URO", 0, 100, 23000, "", "", 10, ""),
    ("BRACK-1", "P-KIR-A", "OP-ALLMKIR", 300, 450, 24000, "", "", 45, ""),
    ("BRACK-2", "P-KIR-B", "OP-ALLMKIR", 100, 250, 26500, "", "", 25, ""),
    ("GYN-1", "P-GYN-A", "OP-GYN", 150, 250, 27000, "", "", 25, ""),
    ("FBOGON-1", "P-OGON-A", "FB-OGON", 900, 1200, 1900, "", "", 120, ""),
    ("FBOGON-2", "P-OGON-C", "FB-OGON", 200, 500, 2100, "", "", 50, ""),
    ("FBHUD-1", "P-HUD-A", "FB-HUD", 900, 1300, 1850, "", "", 130, ""),
    ("FBHUD-2", "P-HUD-B", "FB-HUD", 0, 400, 2200, "", "", 40, ""),
    ("FBGYN-1", "P-GYN-A", "FB-GYN", 400, 600, 2300, "", "", 60, ""),
    ("FBGYN-2", "P-GYN-B", "FB-GYN", 0, 300, 2450, "", "", 30, ""),
    ("FBONH-1", "P-ONH-A", "FB-ONH", 300, 500, 2050, "", "", 50, ""),
]


# ---------------------------------------------------------------------------------------------
def own_volumes() -> dict[tuple[str, str], tuple[int, int]]:
    """(hospital, category) -> (base, additional_max), in hospital then category order."""
    sas = {row[0]: (row[4], row[5]) for row in SAS_VOLUMES}
    volumes: dict[tuple[str, str], tuple[int, int]] = {}
    for h in HOSPITAL_CODES:
        for k in CATEGORY_CODES:
            if h == "SÄS":
                volumes[(h, k)] = sas[k]  # all 49 rows, as in the decision
                continue
            if (h, k) in REGIONAL:
                volumes[(h, k)] = REGIONAL[(h, k)]
                continue
            base, add = sas[k]
            if base + add == 0 or (h, k) in NOT_RUN:
                continue
            volumes[(h, k)] = (
                round(base * SIZE[h] * between(0.85, 1.15, "base", h, k)),
                round(add * SIZE[h] * between(0.70, 1.30, "additional", h, k)),
            )
    return volumes


def group(k: str) -> str:
    return "OP/US" if k.startswith(("OP-", "US-")) else "FB" if k.startswith("FB-") else "other"


def apportion(total: int, weights: list[float]) -> list[int]:
    """Whole parts of `total` proportional to `weights` (largest remainder, ties by position)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def need(volumes: dict[tuple[str, str], tuple[int, int]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(hospital, category) -> (waiting, inflow) wherever the hospital runs the category."""
    inflow: dict[tuple[str, str], int] = {}
    waiting: dict[tuple[str, str], int] = {}
    excess_weight: dict[tuple[str, str], float] = {}
    for (h, k), (base, add) in volumes.items():
        if base + add == 0:
            continue
        cap = base + add
        if k in DEFICIT and h not in DEFICIT[k][2]:
            d, e, _ = DEFICIT[k]
            inflow[(h, k)] = round(cap * (1 + d * PRESSURE[h] * between(0.6, 1.4, "deficit", h, k)))
            excess_weight[(h, k)] = inflow[(h, k)] * e * PRESSURE[h] * between(0.7, 1.3, "excess", h, k)
        elif k in DEFICIT:  # spare additional capacity
            inflow[(h, k)] = round(base + add * between(0.45, 0.70, "spare", h, k))
        else:  # about balanced: most of the additional volume is needed
            inflow[(h, k)] = round(base + add * between(0.75, 1.0, "balanced", h, k))
            if add == 0:
                inflow[(h, k)] = round(base * between(0.95, 1.0, "balanced", h, k))
        limit = 3 * inflow[(h, k)] // H
        waiting[(h, k)] = math.floor(limit * between(0.90, 1.0, "waiting", h, k))
    for g, target in EXCESS_TARGET.items():
        keys = [key for key in excess_weight if group(key[1]) == g]
        for key, extra in zip(keys, apportion(target, [excess_weight[key] for key in keys]), strict=True):
            waiting[key] = 3 * inflow[key] // H + extra
    return {key: (waiting[key], inflow[key]) for key in inflow}


def minutes(h: str, target: str) -> int:
    if target in PROVIDERS:
        return TOWN_MINUTES[PROVIDERS[target]][HOSPITAL_CODES.index(h)]
    return HOSPITAL_MINUTES.get((h, target)) or HOSPITAL_MINUTES[(target, h)]


def tables() -> dict[str, list[list[Any]]]:
    volumes = own_volumes()
    needs = need(volumes)
    out: dict[str, list[list[Any]]] = {}
    out["hospitals.csv"] = [["hospital", "name"]] + [[h, n] for h, n in HOSPITALS]
    out["categories.csv"] = [["category", "area", "kind", "specialty", "price_class"]] + [
        [k, area, kind, spec, PRICE_CLASS[kind]] for k, area, kind, spec, _, _ in SAS_VOLUMES
    ]
    out["prices.csv"] = [["hospital", "price_class", "price_sek"]] + [list(p) for p in PRICES]
    out["own_volumes.csv"] = [["hospital", "category", "base", "additional_max"]] + [
        [h, k, b, a] for (h, k), (b, a) in volumes.items()
    ]
    out["need.csv"] = [["hospital", "category", "waiting", "inflow"]] + [
        [h, k, w, i] for (h, k), (w, i) in needs.items()
    ]
    out["profile.csv"] = [["hospital", "month", "factor"]] + [
        [h, m, EHR_GO_LIVE.get(h, {}).get(m) or SEASON.get(m, "1.0")] for h in HOSPITAL_CODES for m in MONTHS
    ]
    out["contracts.csv"] = [
        [
            "contract",
            "provider",
            "category",
            "volume_min",
            "volume_max",
            "price_sek",
            "first_month",
            "last_month",
            "monthly_max",
            "out_of_region",
        ]
    ] + [list(c) for c in CONTRACTS]
    access: list[list[Any]] = [["hospital", "provider", "travel_minutes", "allowed"]]
    for h in HOSPITAL_CODES:
        for target in [g for g in HOSPITAL_CODES if g != h] + list(PROVIDERS):
            allowed = "false" if (h, target) in NOT_ALLOWED else "true"
            access.append([h, target, minutes(h, target), allowed])
    out["access.csv"] = access
    return out


def render(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def check_source(source: Path) -> list[str]:
    """Differences between the embedded real figures and the extracted CSV files in `source`."""
    problems = []

    def read(name: str) -> list[dict[str, str]]:
        with open(source / name, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    names = [(r["hospital"], r["name"]) for r in read("hospitals.csv")]
    if names != HOSPITALS:
        problems.append("hospitals.csv differs")
    rows = [
        (r["area"], r["kind"], r["specialty"], int(r["bas"]), int(r["tillagg"]))
        for r in read("sas_volumes_2026.csv")
    ]
    if rows != [row[1:] for row in SAS_VOLUMES]:
        problems.append("sas_volumes_2026.csv differs")
    prices = [
        (r["hospital"], r["price_class"], int(r["price_sek"]))
        for r in read("additional_volume_prices_2026.csv")
    ]
    if prices != PRICES:
        problems.append("additional_volume_prices_2026.csv differs")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SCENARIO_DIR, help="scenario folder")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--source", type=Path, help="check the embedded real figures against DIR")
    args = parser.parse_args()
    if args.source is not None:
        problems = check_source(args.source)
        for p in problems:
            print(f"real figures: {p} from {args.source}", file=sys.stderr)
        if problems:
            return 1
    differ = []
    for name, rows in tables().items():
        data = render(rows)
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                differ.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if differ:
        print("differ from the generated tables: " + ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
