"""What every test shares: this checkout's packages come first, in the test process (pyproject's pythonpath)
and in every process a test starts (the local stack, the operator's commands, fresh interpreters), ahead of
whatever an editable install points at: a second working tree sharing a .venv tests its own code."""
import os

from .paths import ROOT

os.environ["PYTHONPATH"] = os.pathsep.join(
    part for part in (str(ROOT / "functions"), os.environ.get("PYTHONPATH", "")) if part
)
