"""Scenario generators: the build of the shipped VGR 2026 scenario (vgr_2026, from vgr_decision,
vgr_volumes and vgr_training) and the synthetic scenarios of any scale modelled on it
(synthetic, from synthetic_regions, synthetic_volumes and synthetic_training)."""
