"""PII detection: offline Presidio set-up, column classification, cell-level free-text scans."""
