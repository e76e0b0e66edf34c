"""Use cases, called by the CLI and the web views alike; they never touch `request`."""
