"""Child process: is pillow-heif loaded after building every handler, after a JPEG, after a HEIC?

`python -m bench.heif_probe JPEG HEIC` with every function's environment set; prints JSON. The
HEIC step shows the check can see the module at all.
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from bench.lambdas import template_functions


def heif_loaded() -> bool:
    return "pillow_heif" in sys.modules


def main(jpeg: str, heic: str) -> None:
    for function in template_functions():
        # Looking the handler up builds it, as Lambda's init does.
        assert callable(importlib.import_module(function.module).handler)
    after_import = heif_loaded()
    from imagemeta import extract

    extract(Path(jpeg).read_bytes())
    after_jpeg = heif_loaded()
    extract(Path(heic).read_bytes())
    print(json.dumps({"after_import": after_import, "after_jpeg": after_jpeg, "after_heic": heif_loaded()}))


if __name__ == "__main__":
    main(*sys.argv[1:])
