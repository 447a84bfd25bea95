"""The long-running service: the Faust app, its agents, metrics and web endpoints."""
