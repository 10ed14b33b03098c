"""rapport: a chat bot that coaches outreach etiquette.

The one import name an installed rapport claims. The core lives in `rapport.bot` (engine, rewriter,
coaching, storage, service) and the front ends in `rapport.adapters` (terminal, Slack, Discord); in a
checkout they are the repository's top-level `bot/` and `adapters/` folders, linked here.
"""
