"""The `sanitas` command: scan, plan and apply headless, the same core the workbench drives."""
