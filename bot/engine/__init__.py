"""The etiquette engine: reads a draft (text, markup, lexicon, signals, the learned reader) and
judges it against the rules (detectors, scoring, courtesy, kinds).  Imports only `bot`'s shared
modules (models, config, errors, resources, wording, …), never a layer above it."""
