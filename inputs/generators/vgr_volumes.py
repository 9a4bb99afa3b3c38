"""The ILLUSTRATIVE volume rules of the VGR 2026 scenario: the other four hospitals' volumes,
every waiting list and inflow, the capacity profile, the external contracts and the travel times,
drawn by fixed rules from the decision's figures (vgr_decision) and a hash of each figure's key.
"""

from __future__ import annotations

import hashlib

from leveransplan.inputs.generators.shared import waiting_beyond_guarantee, waiting_within_guarantee
from leveransplan.inputs.generators.vgr_decision import CATEGORY_CODES, HOSPITAL_CODES, SAS_VOLUMES, H


def unit(*key: object) -> float:
    """A deterministic pseudo-random number in [0, 1) from the key (SHA-256, no global state); the
    training rules (vgr_training) draw from it too."""
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
        waiting[(h, k)] = waiting_within_guarantee(inflow[(h, k)], H, between(0.90, 1.0, "waiting", h, k))
    waiting.update(waiting_beyond_guarantee(inflow, excess_weight, EXCESS_TARGET, H))
    return {key: (waiting[key], inflow[key]) for key in inflow}


def minutes(h: str, target: str) -> int:
    if target in PROVIDERS:
        return TOWN_MINUTES[PROVIDERS[target]][HOSPITAL_CODES.index(h)]
    return HOSPITAL_MINUTES.get((h, target)) or HOSPITAL_MINUTES[(target, h)]
