"""DM coaching sessions: a state machine shared by the console, Slack and Discord."""

from bot.coach.machine import Coach
from bot.coach.replies import Choice, Reply

__all__ = ["Choice", "Coach", "Reply"]
