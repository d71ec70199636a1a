"""The Mesa layer: agents for Baghdad's factions, the government, Washington and Tehran,
and the NegotiationModel that steps them in the configured order."""

from .agents import FactionAgent, GovernmentAgent, TehranAgent, WashingtonAgent
from .model import NegotiationModel

__all__ = ["FactionAgent", "GovernmentAgent", "NegotiationModel", "TehranAgent", "WashingtonAgent"]
