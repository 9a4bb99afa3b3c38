"""The REAL figures of the VGR 2026 scenario, copied from the 2026 assignment to Södra Älvsborgs
Sjukhus (seeds/000_ef548236a434049e.txt, extracted to shared/data/vgr-2026/):
  - the five hospital codes and names (hospitals.csv),
  - SÄS base (bas) and additional (tillägg) volumes for the 49 categories (sas_volumes_2026.csv),
  - the additional-volume prices per hospital (additional_volume_prices_2026.csv),
  - the AT positions per hospital 2026, 292 in all (at_positions_2026.csv),
  - SÄS's ST-A side-service places 2026 per specialty (sta_side_service_places_2026.csv).
They are embedded here so that the build needs no file outside the repository; check_source
compares them with the extracted CSV files.
"""

from __future__ import annotations

import csv
from pathlib import Path

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
H = len(MONTHS)

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
