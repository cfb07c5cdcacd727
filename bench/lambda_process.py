"""Child process: one function's Lambda sandbox, as near as this machine gets.

`python -m bench.lambda_process MODULE EVENTS_JSON RESULT_JSON [--aws-calls]`, with the function's environment
set by the parent. It imports nothing but the handler module (so its memory is what Lambda's "Max Memory Used" would
count, less the runtime's own), builds the handler as Lambda's init does, then invokes it on each event in
turn. For the init and each invocation it records the wall time, this process's CPU time (user + system: the
function's own work, not the AWS endpoint's, which runs in another process), the peak RSS so far (VmHWM) and
the bytes the function logged (its standard output, which Lambda sends to CloudWatch Logs). With --aws-calls
it also lists each AWS call the invocation made (service.Operation, and a PutItem's item size in DynamoDB's
sizing): the hook goes on botocore before the handler makes its clients, so botocore is imported first and the
init's figures include it (the ingest imports it anyway).
"""
from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Phase:
    """The init or one invocation."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float  # the process's peak so far
    log_bytes: int
    log_lines: int  # each a CloudWatch Logs event
    response: Any = None
    aws_calls: list[dict[str, Any]] | None = None


@dataclass
class Context:
    """The attributes of Lambda's context that the handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id: str = ""
    started: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def dynamodb_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value as DynamoDB sizes items (numbers: about one byte per two digits, plus one)."""
    (kind, content), = value.items()
    if kind in ("S", "B"):
        return len(content.encode() if isinstance(content, str) else content)
    if kind == "N":
        return len(content.lstrip("-").replace(".", "")) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + 1 + dynamodb_size(inner) for name, inner in content.items())
    if kind == "L":
        return 3 + sum(1 + dynamodb_size(inner) for inner in content)
    return sum(dynamodb_size({kind[0]: member}) for member in content)  # SS, NS, BS


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + dynamodb_size(value) for name, value in item.items())


def record_aws_calls(calls: list[dict[str, Any]]) -> None:
    """Append every AWS call of the clients made from now on to `calls`: service.Operation; for DynamoDB writes the
    item (each attribute's size in DynamoDB's sizing) and whether the write's condition held; for reads (GetItem,
    BatchGetItem) their keys, whether they were strongly consistent and the size of each item read; for S3 reads the bytes of the object."""
    from botocore.handlers import BUILTIN_HANDLERS

    def on_call(model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        call: dict[str, Any] = {"call": f"{model.service_model.service_name}.{model.name}"}
        if model.name == "PutItem":
            call |= {"key": [params["Item"][name].get("S", "") for name in ("pk", "sk") if name in params["Item"]],
                     "item_bytes": item_size(params["Item"]), "attributes": sorted(params["Item"]),
                     "attribute_bytes": {name: len(name.encode()) + dynamodb_size(value)
                                         for name, value in params["Item"].items()},
                     "conditional": "ConditionExpression" in params}
        elif model.name == "GetItem":
            call["consistent"] = bool(params.get("ConsistentRead"))
            call["key"] = [params["Key"][name].get("S", "") for name in ("pk", "sk") if name in params["Key"]]
        elif model.name == "BatchGetItem":
            requests = list(params["RequestItems"].values())
            call["key"] = [[key[name].get("S", "") for name in ("pk", "sk") if name in key]
                           for request in requests for key in request["Keys"]]
            call["consistent"] = all(request.get("ConsistentRead") for request in requests)
        context["bench_call"] = call
        calls.append(call)

    def after_call(parsed: dict[str, Any], context: dict[str, Any], http_response: Any, **_: Any) -> None:
        call = context.get("bench_call")
        if call is None:
            return
        call["status"] = http_response.status_code
        if call["call"] == "dynamodb.GetItem":
            call["read_bytes"] = item_size(parsed["Item"]) if "Item" in parsed else 0
        elif call["call"] == "dynamodb.BatchGetItem":
            # Each key is an item read; one not found still costs a read's least (as a missing GetItem does).
            found = [item_size(item) for items in parsed.get("Responses", {}).values() for item in items]
            call["read_items_bytes"] = found + [0] * (len(call["key"]) - len(found))
        elif call["call"] == "s3.GetObject":
            call["object_bytes"] = parsed.get("ContentLength", 0)

    # Every botocore session registers BUILTIN_HANDLERS when it is made (moto hooks in the same way): the
    # handler's clients come from a session of its own (handlers/clients.py).
    BUILTIN_HANDLERS.extend([("before-parameter-build", on_call), ("after-call", after_call)])


def measured(log: Any, work: Any, calls: list[dict[str, Any]] | None = None) -> Phase:
    """Run work(); its wall and CPU time, the peak RSS after it, what it wrote to the log and the AWS calls it made."""
    logged, first_call = log.tell(), len(calls or [])
    wall, cpu = time.perf_counter(), cpu_seconds()
    response = work()
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    sys.stdout.flush()
    made = None if calls is None else calls[first_call:]
    log.seek(logged)
    written = log.read()
    return Phase(wall, cpu, peak_rss_mb(), len(written), written.count(b"\n"), response, made)


def main(module: str, events_path: str, result_path: str, *options: str) -> None:
    events = json.loads(Path(events_path).read_text())
    calls: list[dict[str, Any]] | None = [] if "--aws-calls" in options else None
    if calls is not None:
        record_aws_calls(calls)
    memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    timeout_s = int(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "900"))
    with tempfile.TemporaryFile("w+b") as log:
        os.dup2(log.fileno(), 1)  # the function's log lines, counted, never printed
        init = measured(log, lambda: importlib.import_module(module).handler, calls)
        handler = init.response
        invocations = []
        for event in events:
            context = Context(module, memory_mb, timeout_s, aws_request_id=str(uuid.uuid4()), started=time.monotonic())
            invocations.append(measured(log, partial(handler, event, context), calls))
    result = {"init": asdict(init) | {"response": None}, "invocations": [asdict(phase) for phase in invocations]}
    Path(result_path).write_text(json.dumps(result, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:])
