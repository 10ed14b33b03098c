"""rapport's platform-neutral core: the etiquette engine, scoring and (later) coaching."""

__version__ = "0.1.0"
