"""Where the tests find the repository and the shared test images (shared/ lies beside the checkout)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
EVENTS = ROOT / "events"
