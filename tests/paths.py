"""Where the tests find the repository, its test images and its sample events: all inside the checkout."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Real camera and phone files, copied from the team's corpus with their provenance (README.md there).
IMAGES = ROOT / "tests" / "data" / "images"
EXPECTED = ROOT / "tests" / "data" / "expected"
EVENTS = ROOT / "events"
