"""The headless engine. Never imports Qt: the GUI and the CLI are thin layers over this package."""
