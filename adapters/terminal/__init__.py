"""The terminal front end: the `rapport` command, the console, batch and --jsonl input, and the
terminal rendering of reports and rewrites."""
