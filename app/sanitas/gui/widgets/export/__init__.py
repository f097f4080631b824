"""The export flow's dialogs: destination and the residual check's confirmation."""
