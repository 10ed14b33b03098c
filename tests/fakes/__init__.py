"""Local stand-ins for Slack and Discord on 127.0.0.1, shared by the tests and the benches.

Each fake answers the way the real platform does, refusals included (Slack's `{"ok": false,
"error": …}`, Discord's 400 with code 50035), so rapport's real slack-bolt and discord.py code
runs its success and error paths against them.  Nothing here imports pytest: the benches in
`bench/` use the same modules.

- `blockkit`: what Slack refuses in blocks, views and message text (pure functions).
- `slack`: the Web API, response_url hooks and Socket Mode's websocket.
- `slack_sender`: signs and posts requests to an app as Slack does.
- `discord_limits`: what Discord refuses in a message body (pure functions).
- `discord_payloads`: ids and INTERACTION_CREATE / MESSAGE_CREATE payloads.
- `discord`: Discord's REST API (the parts rapport uses) and a minimal gateway.
"""
