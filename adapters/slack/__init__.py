"""rapport on Slack: a thin slack-bolt adapter over the core."""
