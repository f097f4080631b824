"""Dialogs opened from the menus: import options, preferences, pseudonymization keys."""
