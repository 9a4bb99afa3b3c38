"""The volume model of spec sections 3-4: production, transfers and contract referrals."""

from leveransplan.optimizer.volumes.model import VolumeModel

__all__ = ["VolumeModel"]
