"""The Mesa layer: one model of one negotiation (`NegotiationModel`) and an agent per actor."""

from .agents import AGENT_CLASSES, ActorAgent, FactionAgent
from .model import NegotiationModel

__all__ = ["AGENT_CLASSES", "ActorAgent", "FactionAgent", "NegotiationModel"]
