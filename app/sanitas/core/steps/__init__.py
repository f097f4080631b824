"""Dataset-level steps: one protocol (protocol.py) and one registry."""
