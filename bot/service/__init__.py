"""The service every front end shares: `Rapport` (checks, rewrites, coaching sessions, the
ledger), its worker processes and durable jobs, chat answers, commands, workspaces and logs."""
