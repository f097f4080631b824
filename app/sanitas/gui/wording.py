"""Core messages worded for where the workbench user is.

The core's messages name command-line options and recipe fields ("pass --delimiter", "under
'columns:'"): right for the CLI and a recipe file, wrong for someone in the workbench, who has the
import options dialog, the inspector and the key dialog instead. Only the advice changes; what is
wrong, and where, is kept word for word.
"""

from __future__ import annotations

import re

# (pattern, replacement), applied in order
_REWRITES: list[tuple[str, str]] = [
    (r"; name another one with --sheet\.", "; choose another sheet in the import options."),
    (r"or pass --delimiter if (.+?) is not the separator\.",
     r"or choose the separator in the import options if \1 is not it."),
    (r"try --encoding cp1252 \(Windows\) or --encoding latin-1",
     "choose its encoding in the import options (cp1252 for Windows files, or latin-1)"),
    (r"pass --encoding utf-16", "choose utf-16 in the import options"),
    (r"pass --header-row with that line\.", "set the header row to that line in the import options."),
    (r"Add an action for each under 'columns:' \(`action: keep` releases a column as it is\), or set "
     r"'unlisted_columns'\.", "Choose an action for each in the Action box (Keep releases a column as it is)."),
    (r"it has no action under 'columns:'", "it has no action"),
    (r"add `(\S+): \{action: keep\}` under 'columns:'", r"choose Keep for \1 in the Action box"),
    (r"add it under 'keys:' in the recipe \(keys defined: [^)]*\), or pass --key-file \S+\.",
     "set it with Plan › Pseudonymization key… (Ctrl+Shift+K)."),
    (r" Set it to a secret of at least 16 characters \(it is never written anywhere\)\.",
     " Set the key with Plan › Pseudonymization key… (Ctrl+Shift+K)."),
    (r"\(add `keys: \{.*?\}` or a key file\)", "(set it with Plan › Pseudonymization key…)"),
]
_LEFTOVER = re.compile(r"(pass|with|use) --([a-z-]+)")


def for_workbench(message: str) -> str:
    """``message`` with command-line and YAML advice replaced by the workbench's own."""
    for pattern, replacement in _REWRITES:
        message = re.sub(pattern, replacement, message)
    return _LEFTOVER.sub(lambda m: f"set the {m.group(2).replace('-', ' ')} option", message)
