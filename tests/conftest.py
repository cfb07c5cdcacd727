"""What every test shares: this checkout's packages come first, in the test process (pyproject's pythonpath)
and in every process a test starts (the local stack, the operator's commands, fresh interpreters), ahead of
whatever an editable install points at: a second working tree sharing a .venv tests its own code."""
import os

import pytest

from .paths import ROOT

os.environ["PYTHONPATH"] = os.pathsep.join(
    part for part in (str(ROOT / "functions"), os.environ.get("PYTHONPATH", "")) if part
)

# The files that take minutes, longest first. pytest-xdist (--dist loadfile) hands files to its workers in
# collection order, so one of these collected last kept one core busy alone at the end of `make test`; first,
# the other worker runs the rest meanwhile.
LONGEST_FILES = ("test_folder_jobs_scale.py", "test_burst.py", "test_artifacts.py", "test_openapi.py",
                 "test_replay.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, the rest in their usual order (sorting is stable)."""
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FILES.index(name) if name in LONGEST_FILES else len(LONGEST_FILES)

    items.sort(key=rank)
