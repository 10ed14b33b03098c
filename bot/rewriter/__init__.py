"""The rewriter: a draft's facts, the honest rewrite built on the engine's findings, and the
honesty checks that keep a rewrite from claiming what the sender never said."""
