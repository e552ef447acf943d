import os
import signal
import subprocess
import sys
import time

import pytest

from detector import atomic

LINES = 120_000  # 1.9 MB: large enough to kill mid-write
WRITER = """
import sys
from pathlib import Path
from detector.fix import write_fixed
path = Path(sys.argv[1])
old, new = (line * {lines} for line in ("Old news today.\\n", "New news today.\\n"))
print("ready", flush=True)
while True:
    before = path.read_text(encoding="utf-8")
    write_fixed(path, new if before == old else old, "utf-8", before.encode())
"""


def test_a_writer_killed_mid_write_leaves_old_or_new_and_the_next_run_tidies(tmp_path, run_cli):
    path = tmp_path / "big.txt"
    old, new = (line.encode() * LINES for line in ("Old news today.\n", "New news today.\n"))
    path.write_bytes(old)
    killed_mid_write = 0
    for attempt in range(8):
        child = subprocess.Popen([sys.executable, "-c", WRITER.format(lines=LINES), str(path)], stdout=subprocess.PIPE)
        assert child.stdout.readline() == b"ready\n"
        time.sleep(0.02 + 0.03 * attempt)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert path.read_bytes() in (old, new)
        killed_mid_write = max(killed_mid_write, len(list(tmp_path.iterdir())) - 1)
    assert killed_mid_write  # temporary files were left to tidy
    code, _, err = run_cli("fix", "--in-place", "--no-model", str(path))
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir()] == ["big.txt"]


def test_replacing_removes_its_temporary_on_failure_and_keeps_the_target(tmp_path):
    target = tmp_path / "t.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.replacing(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_stale_temporaries_of_live_writers_are_kept(tmp_path):
    live = tmp_path / f".a.txt.{os.getpid()}.x{atomic.SUFFIX}"
    live.write_text("mine")
    gone = tmp_path / f".a.txt.{2**22 + 12345}.y{atomic.SUFFIX}"  # above Linux's default pid_max
    gone.mkdir()
    atomic.remove_stale(tmp_path)
    assert live.exists() and not gone.exists()
