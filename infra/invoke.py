"""`python -m infra.invoke FUNCTION EVENT_FILE` (`make invoke`): one function's handler on one event, no Docker.

The function runs as in the running local stack (`make run`): the template's variables for it, with the
stack's parameter overrides, and AWS calls going to the stack's moto server. It prints what `sam local
invoke` prints: the response JSON on standard output, then the logs (init, START, the function's own
output, END, REPORT) on standard error. Exit status 0 when the function ran, whatever it answered (an
error it raised is its answer, as in Lambda); 1 when it could not start (its init failed).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ops.stack import running_local_state

from .functions import local_environment, local_function, template_environment
from .template import LocalTemplate

REPO_ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.invoke", description=__doc__)
    parser.add_argument("function", help="the function's logical ID in the template (FilesFunction, ...)")
    parser.add_argument("event", type=Path, help="a JSON event file (events/ has one per function and route)")
    parser.add_argument("--template", type=Path, default=REPO_ROOT / "template.yaml")
    parser.add_argument("--local", type=Path, help="the local stack's outputs file (default: the running one)")
    return parser.parse_args(argv)


@contextmanager
def captured_output() -> Iterator[io.StringIO]:
    """Everything written to file descriptors 1 and 2 meanwhile (Python's and native libraries' alike), at the end."""
    captured = io.StringIO()
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = [os.dup(1), os.dup(2)]
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield captured
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for descriptor, original in zip((1, 2), saved, strict=True):
                os.dup2(original, descriptor)
                os.close(original)
            log.seek(0)
            captured.write(log.read())


def error_response(error: BaseException) -> dict[str, Any]:
    """A raised error as Lambda's Python runtime reports it."""
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    state_path = args.local or running_local_state()
    if not state_path.is_file():
        raise SystemExit(f"{state_path} not found: start the local stack first (make run, in another terminal)")
    stack = json.loads(state_path.read_text(encoding="utf-8"))
    try:
        event = json.loads(args.event.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"{args.event}: not a readable JSON event ({error})") from None
    template = LocalTemplate(args.template, stack["awsEndpoint"], stack.get("parameterOverrides") or {})
    try:
        function = template.function(args.function)
    except KeyError as error:
        raise SystemExit(str(error.args[0])) from None

    started = time.monotonic()
    with captured_output() as log:
        os.environ.update(template_environment(function))
        local_environment(stack["awsEndpoint"])  # over the template's variables, as in the running stack
        try:
            loaded = local_function(function)  # imports the module and builds the handler: Lambda's init
        except Exception as error:  # noqa: BLE001 - an init failure is the answer, shown as Lambda shows it
            loaded, response = None, error_response(error)
        init_ms = (time.monotonic() - started) * 1000
        if loaded is not None:
            context = loaded.new_context()
            print(f"START RequestId: {context.aws_request_id} Version: {context.function_version}", flush=True)
            invoked = time.monotonic()
            try:
                response = loaded.handler(event, context)
            except Exception as error:  # noqa: BLE001 - the function's error is its answer, as in Lambda
                response = error_response(error)
            duration_ms = (time.monotonic() - invoked) * 1000
            used_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # this whole process
            print(f"END RequestId: {context.aws_request_id}", flush=True)
            print(
                f"REPORT RequestId: {context.aws_request_id}\tInit Duration: {init_ms:.2f} ms\t"
                f"Duration: {duration_ms:.2f} ms\tMemory Size: {loaded.memory_mb} MB\tMax Memory Used: {used_mb} MB",
                flush=True,
            )
    print(json.dumps(response, default=str), flush=True)
    sys.stderr.write(log.getvalue())
    return 0 if loaded is not None else 1


if __name__ == "__main__":
    sys.exit(main())
