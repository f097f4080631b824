"""Synthesis is offline and writes nothing outside its own folder.

A fresh interpreter (so SDV's import-time side effects count too) runs a whole release, a neural fit and the
synthesize action under an audit hook that records, and refuses, every network call (connect, DNS lookups,
sends) and records every file opened for writing, created, moved or removed outside a temporary folder.
The hook sees what a library might swallow: a refused socket counts even if the caller catches the error.
This test process itself has pytest-socket's guard as well.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent('''
    import json, os, sys
    allowed = os.environ["SANITAS_TEST_TMP"]
    events = []
    NET = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
           "socket.sendto", "socket.sendmsg", "urllib.Request", "http.client.connect"}
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def outside(path):
        try:
            path = os.fsdecode(path)
        except TypeError:
            return False
        real = os.path.realpath(path)
        return not (real.startswith(allowed) or real in ("/dev/null", "/dev/shm") or real.startswith("/dev/shm/"))

    def hook(event, args):
        if event in NET:
            events.append(["network", event])
            raise OSError("network refused by the offline test")
        if event == "open" and args and not isinstance(args[0], int):
            path, mode, flags = (list(args) + [None, None])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS)
            if writing and outside(path):
                events.append(["write", os.fsdecode(path)])
        elif event in ("os.mkdir", "os.rename", "os.replace", "os.remove", "os.rmdir", "shutil.copyfile",
                       "shutil.move", "os.symlink", "os.link", "os.truncate"):
            if args and not isinstance(args[0], int) and outside(args[0]):
                events.append([event, os.fsdecode(args[0])])

    sys.addaudithook(hook)
    from synthetic_data import people
    from sanitas.core.privacy.synthetic import SyntheticSection, synthesize
    from sanitas.core.transforms import TransformContext, make_transform

    table = people(200, seed=5)
    whole = synthesize(table, SyntheticSection.model_validate({"evaluation": {"target": "grade"},
                       "constraints": {"positive": ["spend"]}}), identifiers={"name": "PERSON",
                       "email": "EMAIL_ADDRESS"}, quasi_identifiers=["age", "sex", "zip3"], seed=1)
    neural = synthesize(table.drop("name", "email"), SyntheticSection.model_validate(
        {"synthesizer": "tvae", "epochs": 1, "batch_size": 100}), seed=1)
    action = make_transform("synthesize", {"conditioned_on": ["age"]})
    column = action.fit(table["income"], TransformContext(column="income", source=table, seed=1)).apply(table["income"])
    print(json.dumps({"events": events, "rows": [whole.frame.height, neural.frame.height, column.len()],
                      "quality": whole.facts.quality.score}))
''')


@pytest.mark.slow
def test_a_whole_release_reaches_no_network_and_writes_nowhere_else(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "SANITAS_", "TORCHINDUCTOR_"))}
    env.update(HOME=str(home), SANITAS_TEST_TMP=str(tmp_path), TMPDIR=str(tmp_path), PYTHONDONTWRITEBYTECODE="1",
               SANITAS_CONFIG_DIR=str(tmp_path / "config"), SANITAS_STATE_DIR=str(tmp_path / "state"),
               MPLCONFIGDIR=str(tmp_path / "mpl"),
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == [200, 200, 200] and result["quality"] > 0.5
    assert result["events"] == [], result["events"]
    assert not (home / ".local" / "share" / "sdv").exists()  # SDV's logger config stays in site-packages
    assert list(home.iterdir()) == []
