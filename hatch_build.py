"""Map the checkout's top-level folders into the one `rapport` package of a built wheel.

Why a hook: hatchling's `force-include` also copies into an editable install, which would shadow the
checkout. Here the mapping applies to a standard wheel only; an editable install points `rapport` at
the checkout's rapport/ folder, whose bot/ and adapters/ are links to the top-level folders.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# checkout folder -> place in the wheel
WHEEL_LAYOUT = {
    "bot": "rapport/bot",
    "adapters": "rapport/adapters",
    "rules": "rapport/bot/_data/rules",
    "templates": "rapport/bot/_data/templates",
}


class RapportLayoutHook(BuildHookInterface):  # type: ignore[misc]
    """Adds the folder mapping to standard wheel builds."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"].update(WHEEL_LAYOUT)
