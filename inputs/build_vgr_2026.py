"""Write the CSV tables of the default scenario inputs/vgr-2026/ (standard library only).

    python inputs/build_vgr_2026.py            # (re)write inputs/vgr-2026/*.csv
    python inputs/build_vgr_2026.py --check    # compare with the files there, write nothing

The output is deterministic: running it again reproduces the CSV files byte for byte.
scenario.toml and README.md are written by hand and are not touched.

    python inputs/build_vgr_2026.py --report   # also print the AT optimum and ST-A demand vs places

REAL figures (copied from the 2026 assignment to Södra Älvsborgs Sjukhus,
seeds/000_ef548236a434049e.txt, extracted to shared/data/vgr-2026/):
  - the five hospital codes and names (hospitals.csv),
  - SÄS base (bas) and additional (tillägg) volumes for the 49 categories (sas_volumes_2026.csv),
  - the additional-volume prices per hospital (additional_volume_prices_2026.csv),
  - the AT positions per hospital 2026, 292 in all (at_positions_2026.csv),
  - SÄS's ST-A side-service places 2026 per specialty (sta_side_service_places_2026.csv).
They are embedded below so that the script needs no file outside the repository;
`--source DIR` checks them against the extracted CSV files in DIR.

ILLUSTRATIVE figures (invented here by the fixed rules below, labelled as such in README.md):
the other four hospitals' volumes, every waiting list and inflow, the capacity profile,
the external contracts and the travel times; the AT weights, bounds and rotations; every GP
trainee (pseudonymous ids), requirement, travel time, agreed placement, and every ST-A place
except SÄS's in 2026. Before writing, the script checks the training tables' rules
(check_training) and exits 1 if one fails.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

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

# REAL: AT (allmäntjänstgöring) positions per hospital 2026, 292 in all
# (shared/data/vgr-2026/at_positions_2026.csv), in that file's order.
AT_POSITIONS_2026 = [("SÄS", 50), ("NU", 70), ("SkaS", 56), ("SU", 60), ("SV", 56)]

# REAL: side-service places for GP trainees (ST-A) that SÄS provides in 2026
# (shared/data/vgr-2026/sta_side_service_places_2026.csv), in that file's order.
SAS_STA_PLACES_2026 = [
    ("SÄS", "gynekologi", 20),
    ("SÄS", "pediatrik", 10),
    ("SÄS", "medicin", 35),
    ("SÄS", "psykiatri", 22),
]

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
# ILLUSTRATIVE training tables (AT distribution, ST-A side-service placements).

AT_TOTAL = sum(n for _, n in AT_POSITIONS_2026)  # 292; [at] total in scenario.toml
# Need weight: the newly licensed doctors each hospital's area reckons it must recruit per year.
AT_WEIGHT = {"SU": 70, "NU": 63, "SkaS": 58, "SÄS": 60, "SV": 49}
AT_BOUND = 15  # min = previous - 15, max = previous + 15
# The AT order: at least 9 months internal medicine and surgery together (3 or more of each),
# 3 months psychiatry, 6 months general practice; each hospital's own split of the 9 months.
AT_MEDICINE_SURGERY = {"SU": (5, 4), "NU": (6, 3), "SkaS": (6, 3), "SÄS": (5, 4), "SV": (6, 3)}
AT_OTHER_MONTHS = {"psykiatri": 3, "allmanmedicin": 6}
# AT doctors the departments of an area can take over one AT period: previous + 12, except two
# rows set a little below what the hospital's weight asks for, so that they bind.
AT_HOSTED_EXTRA = 12
AT_HOSTED = {("SU", "psykiatri"): 65, ("SÄS", "allmanmedicin"): 57}

# Side-service placements are planned over 24 months from the scenario's start ([placements]
# months in scenario.toml); month 0 is 2026-01.
ST_MONTHS = 24
ST_SPECIALTIES = ("medicin", "pediatrik", "gynekologi", "psykiatri")
ST_LENGTH = {"medicin": 6, "pediatrik": 3, "gynekologi": 3, "psykiatri": 3}
ST_TRAINEES = 540
# Home areas (the primary-care training offices) and their share of the trainees, in per cent.
HOME_AREAS = {"Göteborg": 42, "Mölndal": 11, "Skövde": 15, "Vänersborg": 16, "Borås": 16}
# One-way minutes from a home area to a hospital; a missing pair is not offered to that area.
# SU Göteborg/Mölndal, NU Trollhättan/Uddevalla, SkaS Skövde, SÄS Borås, SV Kungälv/Alingsås.
TRAVEL = {
    "Göteborg": {"SU": 15, "SV": 30, "SÄS": 60},
    "Mölndal": {"SU": 15, "SV": 40, "SÄS": 50},
    "Skövde": {"SkaS": 10, "SV": 75},
    "Vänersborg": {"NU": 15, "SV": 50, "SU": 65},
    "Borås": {"SÄS": 10, "SV": 40, "SU": 55},
}
# Places (starts per calendar year) in 2026; SÄS's are REAL (SAS_STA_PLACES_2026). A missing
# specialty has no department taking GP trainees (SV: no paediatrics).
ST_PLACES_2026 = {
    "SU": {"medicin": 130, "pediatrik": 200, "gynekologi": 155, "psykiatri": 140},
    "NU": {"medicin": 50, "pediatrik": 50, "gynekologi": 48, "psykiatri": 48},
    "SkaS": {"medicin": 46, "pediatrik": 12, "gynekologi": 44, "psykiatri": 44},
    "SV": {"medicin": 48, "gynekologi": 36, "psykiatri": 48},
}
# 2027 (the decision covers 2026 only): each 2026 figure x 0.95-1.10, rounded.
ST_PLACES_2027 = (0.95, 1.10)
# Rows with a limit on trainees present in one month (supervisors): half again an even spread of
# the year's starts, ceil(1.5 x places x length / 12).
ST_CONCURRENT = {("NU", "psykiatri"), ("SkaS", "gynekologi"), ("SÄS", "medicin")}
ST_CONCURRENT_FACTOR = 1.5
# SkaS paediatrics is short of supervisors in 2026: 12 starts, at most 3 trainees at a time; it
# catches up in 2027. (hospital, specialty, year): (places, concurrent_max), instead of the rules.
ST_ROWS = {("SkaS", "pediatrik", 2026): (12, 3), ("SkaS", "pediatrik", 2027): (72, 27)}
# Trainees: most may start in January 2026, the rest (20 %) in February-September 2026; the
# deadline is spread over 2026-10..2028-06, later ones more often (21 months x u ** 0.6 after
# 2026-10, u uniform: a fifth before 2027-05), and at least six months after the earliest start;
# 10 % have a parental leave of 4-10 months, 4 % one single month away (a course, a holiday).
ST_LATE_START = 0.20
ST_DEADLINE_SKEW = 0.6
ST_LEAVE = 0.10
ST_AWAY = 0.04
# st_requirements.csv lists the side services due in the planning period: all four, unless the
# trainee's free months (window clipped to the horizon, leave left out) cannot hold them with two
# months to spare; then they are taken in a hashed order and each kept while they still fit (the
# others were done earlier or are planned after the horizon).
ST_SPARE = 2
# Medicine is 6 months; 10 % need 4 and 15 % 5 (part already done).
ST_MEDICINE_SHORT = ((0.10, 4), (0.25, 5))
# A handful of trainees whose requirements cannot all be placed, each for a clear reason (the
# last ids): home area, earliest start, deadline, unavailable, requirements.
ST_EDGE_CASES = [
    # the window 2026-09..2027-01 is 5 months: medicine (6) cannot fit, psychiatry can
    ("Göteborg", 9 - 1, 13 - 1, "", (("medicin", 6), ("psykiatri", 3))),
    # parental leave covers the window but its first and last month: gynaecology (3) cannot fit
    ("Borås", 0, 10, "2026-02..2026-10", (("gynekologi", 3),)),
    # earliest start 2027-09: only 4 months are left in the horizon for medicine (6)
    ("Mölndal", 20, 29, "", (("medicin", 6), ("pediatrik", 3))),
    # five Skövde trainees due by 2026-03 with paediatrics (3) left: SkaS, their only paediatrics
    # within reach, takes 3 trainees at a time in 2026, so 2 of them cannot be placed
    *[("Skövde", 0, 2, "", (("pediatrik", 3),))] * 5,
]
# Placements already agreed (st_fixed.csv): trainees free from January 2026 with no leave and a
# deadline 2027-09 or later, in a hashed order; one of their requirements, at the nearest hospital
# that has the specialty, starting 2026-01..2026-04.
ST_FIXED = 10


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


# ---------------------------------------------------------------------------------------------
# Training tables.


def month_name(index: int) -> str:
    """The month `index` months after 2026-01, written YYYY-MM."""
    return f"{2026 + index // 12}-{index % 12 + 1:02d}"


def month_index(text: str) -> int:
    """Inverse of month_name; a range `first..last` gives its first month."""
    year, month = text.split("..")[0].split("-")
    return (int(year) - 2026) * 12 + int(month) - 1


def months_of(text: str) -> set[int]:
    """The months of an `unavailable` cell: months and ranges separated by spaces."""
    months: set[int] = set()
    for item in text.split():
        first, _, last = item.partition("..")
        months.update(range(month_index(first), month_index(last or first) + 1))
    return months


class Trainee(NamedTuple):
    trainee: str
    home_area: str
    earliest: int  # month index, 0 = 2026-01
    deadline: int
    unavailable: str  # as written in st_trainees.csv
    requirements: tuple[tuple[str, int], ...]  # (specialty, months)


def free_runs(earliest: int, deadline: int, away: set[int]) -> list[int]:
    """Lengths of the runs of free months in earliest..deadline, clipped to the horizon."""
    runs: list[int] = []
    run = 0
    for m in range(earliest, min(deadline, ST_MONTHS - 1) + 1):
        if m in away:
            if run:
                runs.append(run)
            run = 0
        else:
            run += 1
    return [*runs, run] if run else runs


def fits(lengths: list[int], runs: list[int]) -> bool:
    """The stays fit the free runs one after the other (first fit, longest first), months to spare."""
    if sum(lengths) > sum(runs) - ST_SPARE:
        return False
    left = list(runs)
    for d in sorted(lengths, reverse=True):
        i = next((i for i, r in enumerate(left) if r >= d), None)
        if i is None:
            return False
        left[i] -= d
    return True


def regular_trainee(t: str, home_area: str) -> Trainee:
    late = unit("start", t) < ST_LATE_START
    earliest = 1 + math.floor(8 * unit("start-month", t)) if late else 0  # 2026-02..2026-09
    deadline = max(9 + math.floor(21 * unit("deadline", t) ** ST_DEADLINE_SKEW), earliest + 6)
    leave = ""
    if unit("leave", t) < ST_LEAVE:  # 4-10 months starting 2026-02..2027-03
        first = 1 + math.floor(14 * unit("leave-start", t))
        leave = f"{month_name(first)}..{month_name(first + 3 + math.floor(7 * unit('leave-length', t)))}"
    away = month_name(6 if unit("away-month", t) < 0.5 else 18) if unit("away", t) < ST_AWAY else ""
    if away and month_index(away) in months_of(leave):
        away = ""
    medicine = next((d for p, d in ST_MEDICINE_SHORT if unit("medicin", t) < p), ST_LENGTH["medicin"])
    full = {s: medicine if s == "medicin" else ST_LENGTH[s] for s in ST_SPECIALTIES}
    for unavailable in (" ".join(x for x in (leave, away) if x), away):
        runs = free_runs(earliest, deadline, months_of(unavailable))
        due: dict[str, int] = {}
        for s in sorted(ST_SPECIALTIES, key=lambda s: unit("due", t, s)):
            if fits([*due.values(), full[s]], runs):
                due[s] = full[s]
        if due:
            break
    unavailable = " ".join(sorted(unavailable.split(), key=month_index))
    requirements = tuple((s, due[s]) for s in ST_SPECIALTIES if s in due)
    return Trainee(t, home_area, earliest, deadline, unavailable, requirements)


def trainees() -> list[Trainee]:
    """The regular trainees (home area apportioned, then dealt out in a hashed order) and the edge cases."""
    ids = [f"STA-{i:04d}" for i in range(1, ST_TRAINEES + 1)]
    regular = ids[: ST_TRAINEES - len(ST_EDGE_CASES)]
    counts = apportion(len(regular), [float(w) for w in HOME_AREAS.values()])
    areas = [a for a, c in zip(HOME_AREAS, counts, strict=True) for _ in range(c)]
    dealt = sorted(regular, key=lambda t: unit("home", t))
    home = {t: areas[rank] for rank, t in enumerate(dealt)}
    out = [regular_trainee(t, home[t]) for t in regular]
    for t, case in zip(ids[len(regular) :], ST_EDGE_CASES, strict=True):
        out.append(Trainee(t, *case))
    return out


def st_capacity() -> dict[tuple[str, str, int], tuple[int, int | None]]:
    """(hospital, specialty, year) -> (places, concurrent_max or None), 2026 and 2027."""
    places_2026 = {h: dict(row) for h, row in ST_PLACES_2026.items()}
    places_2026["SÄS"] = {s: n for _, s, n in SAS_STA_PLACES_2026}
    rows: dict[tuple[str, str, int], tuple[int, int | None]] = {}
    for h in HOSPITAL_CODES:
        for s in ST_SPECIALTIES:
            if s not in places_2026[h]:
                continue
            for year in (2026, 2027):
                places = places_2026[h][s]
                if year == 2027:
                    places = round(places * between(*ST_PLACES_2027, "places-2027", h, s))
                limit = None
                if (h, s) in ST_CONCURRENT:
                    limit = math.ceil(ST_CONCURRENT_FACTOR * places * ST_LENGTH[s] / 12)
                rows[(h, s, year)] = ST_ROWS.get((h, s, year), (places, limit))
    return rows


def st_fixed(
    people: list[Trainee], capacity: dict[tuple[str, str, int], Any]
) -> list[tuple[str, str, str, int]]:
    """(trainee, specialty, hospital, start month index) of the placements already agreed."""
    picks = []
    for t in sorted(people[: ST_TRAINEES - len(ST_EDGE_CASES)], key=lambda t: unit("fixed", t.trainee)):
        if t.unavailable or t.earliest > 0 or t.deadline < month_index("2027-09"):
            continue
        s, _ = min(t.requirements, key=lambda r: unit("fixed-specialty", t.trainee, r[0]))
        near = sorted(TRAVEL[t.home_area], key=lambda h: TRAVEL[t.home_area][h])
        h = next(h for h in near if (h, s, 2026) in capacity)
        picks.append((t.trainee, s, h, math.floor(4 * unit("fixed-start", t.trainee))))
        if len(picks) == ST_FIXED:
            break
    return sorted(picks)


def at_tables() -> tuple[list[list[Any]], list[list[Any]]]:
    """Rows of at.csv and at_rotations.csv (without headers), in hospital order."""
    previous = dict(AT_POSITIONS_2026)
    at = [
        [h, previous[h] - AT_BOUND, previous[h] + AT_BOUND, AT_WEIGHT[h], previous[h]] for h in HOSPITAL_CODES
    ]
    rotations = []
    for h in HOSPITAL_CODES:
        months = (
            dict(zip(("internmedicin", "kirurgi"), AT_MEDICINE_SURGERY[h], strict=True)) | AT_OTHER_MONTHS
        )
        for area, m in months.items():
            hosted = AT_HOSTED.get((h, area), previous[h] + AT_HOSTED_EXTRA)
            # up to m - 1 months more: not enough for one more doctor
            rotations.append([h, area, m, m * hosted + math.floor(m * unit("at-capacity", h, area))])
    return at, rotations


def at_optimum(at: list[list[Any]], rotations: list[list[Any]]) -> tuple[int, int, dict[str, int]]:
    """The spec's AT optimum (deviation, then stability) by dynamic programming over hospitals."""
    weights = sum(row[3] for row in at)
    best: dict[int, tuple[int, int, dict[str, int]]] = {0: (0, 0, {})}
    for h, lo, hi, weight, previous in at:
        hi = min([hi] + [cap // months for g, _, months, cap in rotations if g == h])
        step: dict[int, tuple[int, int, dict[str, int]]] = {}
        for total, (dev, stab, chosen) in best.items():
            for n in range(lo, hi + 1):
                if total + n > AT_TOTAL:
                    break
                value = (
                    dev + abs(weights * n - AT_TOTAL * weight),
                    stab + abs(n - previous),
                    chosen | {h: n},
                )
                if total + n not in step or value[:2] < step[total + n][:2]:
                    step[total + n] = value
        best = step
    return best[AT_TOTAL]


def check_training(
    people: list[Trainee], capacity: dict[tuple[str, str, int], tuple[int, int | None]]
) -> list[str]:
    """The rules the training tables must keep (spec section 5, the brief's item 7); empty when all hold."""
    problems = []
    at, rotations = at_tables()
    hosted = {h: min(cap // months for g, _, months, cap in rotations if g == h) for h, *_ in at}
    if not sum(row[1] for row in at) <= AT_TOTAL <= sum(min(row[2], hosted[row[0]]) for row in at):
        problems.append("at: the total cannot be distributed within min, max and the rotations")
    problems += [
        f"at: {h} min {lo} is above its rotations' {hosted[h]}" for h, lo, *_ in at if lo > hosted[h]
    ]
    if len({t.trainee for t in people}) != len(people):
        problems.append("st_trainees: a trainee id appears twice")
    for (h, s, year), (places, limit) in capacity.items():
        if year not in (2026, 2027) or places < 0 or (limit is not None and limit < 0):
            problems.append(f"st_capacity: bad row {h} {s} {year}")
    if {(h, s, n) for (h, s, year), (n, _) in capacity.items() if h == "SÄS" and year == 2026} != set(
        SAS_STA_PLACES_2026
    ):
        problems.append("st_capacity: SÄS 2026 differs from the decision")
    for area, row in TRAVEL.items():
        if not 2 <= len(row) <= 4 or not set(row) <= set(HOSPITAL_CODES):
            problems.append(f"travel: {area} should reach 2-4 of the hospitals")
    by_id = {t.trainee: t for t in people}
    for t in people:
        specialties = [s for s, _ in t.requirements]
        if (
            not t.requirements
            or len(set(specialties)) != len(specialties)
            or not set(specialties) <= set(ST_LENGTH)
        ):
            problems.append(f"st_requirements: {t.trainee} has no, a repeated or an unknown specialty")
        if not 0 <= t.earliest <= t.deadline or t.earliest >= ST_MONTHS:
            problems.append(f"st_trainees: {t.trainee} earliest start and deadline")
    started: Counter[tuple[str, str, int]] = Counter()
    present: Counter[tuple[str, str, int]] = Counter()
    busy: dict[str, set[int]] = {}
    for trainee, s, h, start in st_fixed(people, capacity):
        t = by_id[trainee]
        months = range(start, start + dict(t.requirements).get(s, ST_MONTHS))
        where = f"st_fixed: {trainee} {s} at {h} from {month_name(start)}"
        if s not in dict(t.requirements):
            problems.append(f"{where}: no such requirement")
        if start < t.earliest or months[-1] > min(t.deadline, ST_MONTHS - 1):
            problems.append(f"{where}: outside the trainee's window or the horizon")
        if set(months) & (months_of(t.unavailable) | busy.get(trainee, set())):
            problems.append(f"{where}: an unavailable or already used month")
        if h not in TRAVEL[t.home_area] or (h, s, 2026 + start // 12) not in capacity:
            problems.append(f"{where}: not within reach or no places that year")
        busy.setdefault(trainee, set()).update(months)
        started[(h, s, 2026 + start // 12)] += 1
        present.update((h, s, m) for m in months)
    for (h, s, year), n in started.items():
        if n > capacity[(h, s, year)][0]:
            problems.append(f"st_fixed: more starts than places at {h} {s} {year}")
    for (h, s, m), n in present.items():
        limit = capacity.get((h, s, 2026 + m // 12), (0, 0))[1]
        if limit is not None and n > limit:
            problems.append(f"st_fixed: more than concurrent_max at {h} {s} {month_name(m)}")
    return problems


def report(people: list[Trainee], capacity: dict[tuple[str, str, int], tuple[int, int | None]]) -> str:
    """AT optimum and ST-A demand against places, for README.md."""
    at, rotations = at_tables()
    deviation, stability, chosen = at_optimum(at, rotations)
    lines = [f"AT optimum: deviation {deviation}, stability {stability}: {chosen}"]
    count = Counter(s for t in people for s, _ in t.requirements)
    lines.append(
        f"trainees {len(people)}, requirements {sum(count.values())}, by number: "
        f"{sorted(Counter(len(t.requirements) for t in people).items())}"
    )
    for s in ST_SPECIALTIES:
        places = [
            sum(n for (_, x, y), (n, _) in capacity.items() if x == s and y == year) for year in (2026, 2027)
        ]
        last = [min(t.deadline, ST_MONTHS - 1) - d + 1 for t in people for x, d in t.requirements if x == s]
        first = [t.earliest for t in people for x, _ in t.requirements if x == s]
        lines.append(
            f"{s}: requirements {count[s]} (must start in 2026: {sum(m < 12 for m in last)}, "
            f"in 2027: {sum(m >= 12 for m in first)}), places 2026 {places[0]}, 2027 {places[1]}"
        )
        for area, reach in TRAVEL.items():
            need = sum(1 for t in people if t.home_area == area for x, _ in t.requirements if x == s)
            within = [
                sum(n for (h, x, y), (n, _) in capacity.items() if x == s and y == year and h in reach)
                for year in (2026, 2027)
            ]
            lines.append(f"  {area}: {need} against {within[0]} + {within[1]} places within reach")
    return "\n".join(lines)


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
    at, rotations = at_tables()
    out["at.csv"] = [["hospital", "min", "max", "weight", "previous"], *at]
    out["at_rotations.csv"] = [["hospital", "area", "months", "capacity_months"], *rotations]
    people = trainees()
    capacity = st_capacity()
    out["st_trainees.csv"] = [["trainee", "home_area", "earliest_start", "deadline", "unavailable"]] + [
        [t.trainee, t.home_area, month_name(t.earliest), month_name(t.deadline), t.unavailable]
        for t in people
    ]
    out["st_requirements.csv"] = [["trainee", "specialty", "months"]] + [
        [t.trainee, s, d] for t in people for s, d in t.requirements
    ]
    out["st_capacity.csv"] = [["hospital", "specialty", "year", "places", "concurrent_max"]] + [
        [h, s, year, places, "" if limit is None else limit]
        for (h, s, year), (places, limit) in capacity.items()
    ]
    out["travel.csv"] = [["home_area", "hospital", "minutes"]] + [
        [area, h, minutes] for area, row in TRAVEL.items() for h, minutes in row.items()
    ]
    out["st_fixed.csv"] = [["trainee", "specialty", "hospital", "start"]] + [
        [t, s, h, month_name(start)] for t, s, h, start in st_fixed(people, capacity)
    ]
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
    if [(r["hospital"], int(r["at_positions"])) for r in read("at_positions_2026.csv")] != AT_POSITIONS_2026:
        problems.append("at_positions_2026.csv differs")
    places = [
        (r["hospital"], r["specialty"], int(r["places"])) for r in read("sta_side_service_places_2026.csv")
    ]
    if places != SAS_STA_PLACES_2026:
        problems.append("sta_side_service_places_2026.csv differs")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SCENARIO_DIR, help="scenario folder")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--source", type=Path, help="check the embedded real figures against DIR")
    parser.add_argument(
        "--report", action="store_true", help="print the AT optimum and ST-A demand vs places"
    )
    args = parser.parse_args()
    people, capacity = trainees(), st_capacity()
    problems = check_training(people, capacity)
    for p in problems:
        print(f"training tables: {p}", file=sys.stderr)
    if problems:
        return 1
    if args.report:
        print(report(people, capacity))
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
