"""Thin platform adapters (terminal console, Slack, Discord) over the core in `bot`."""
