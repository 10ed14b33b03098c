"""rapport on Discord: a thin discord.py adapter over the core (never a module named discord)."""
