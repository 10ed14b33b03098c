"""Quality evaluations on real external data (read from ../shared/data when it is present)."""
