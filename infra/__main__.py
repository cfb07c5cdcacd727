"""`python -m infra` (`make run`): the whole service on this machine, moto standing in for AWS; Ctrl-C stops it."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import boto3
from moto.server import ThreadedMotoServer

from ops.keys import KeyManager
from ops.signing_keys import SigningKeys
from ops.stack import local_state_path
from service.auth.keys import KeyStore

from .api import LocalApi, serve_api
from .delivery import start_distributions
from .functions import load_functions, local_environment
from .moto_s3 import s3_as_aws
from .moto_server import routing_listed_once
from .moto_sqs import sqs_as_aws
from .ports import reserve
from .pump import event_source_pumps
from .resources import create_resources
from .template import DEFAULT_DELIVERY_PORT, REGION, STACK_NAME, LocalTemplate

if TYPE_CHECKING:
    from types_boto3_apigateway import APIGatewayClient
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_sqs import SQSClient

REPO_ROOT = Path(__file__).resolve().parent.parent
FETCH_PORTS_PARAMETER = "FetchAllowedPorts"
SIGNING_KEY_PARAMETER = "SigningKeyName"
log = logging.getLogger("infra")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra", description=__doc__)
    parser.add_argument("--template", type=Path, default=REPO_ROOT / "template.yaml")
    parser.add_argument(
        "--parameter-overrides",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="template parameters to set instead of their defaults (as sam's --parameter-overrides)",
    )
    return parser.parse_args(argv)


def parameter_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator:
            raise SystemExit(f"--parameter-overrides takes NAME=VALUE, not {pair!r}")
        overrides[name] = value
    return overrides


def with_own_ports(template: LocalTemplate, aws_port: int) -> dict[str, str]:
    """The parameter overrides the stack runs with: the caller's, with its own S3 and delivery ports among the URL
    route's ports.

    Like ALLOW_LOOPBACK_URLS for the address, this lets the URL route fetch the urls of the stack's uploads, their
    distributions' and presigned ones (make smoke, the README); the deployed ports stay the template's.
    """
    ports = str(template.parameters[FETCH_PORTS_PARAMETER]).split(",")
    ports += [str(port) for port in (aws_port, *template.delivery_ports.values()) if str(port) not in ports]
    return {**template.parameter_overrides, FETCH_PORTS_PARAMETER: ",".join(ports)}


@contextmanager
def state_file(path: Path, outputs: dict[str, Any]) -> Iterator[None]:
    """The outputs file for as long as the stack runs; written whole (rename) so a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.touch(mode=0o600)  # it holds the first private key: readable by its owner only
    partial.write_text(json.dumps(outputs, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # moto's per-request log (the pump polls every second), botocore's endpoint notes and libvips' info messages
    # (pyvips passes on several per image: "threadpool completed", shrink factors) are noise here. In Lambda they
    # never show: its runtime leaves the root logger at WARNING, and Powertools logs through its own logger.
    for noisy in ("werkzeug", "botocore", "pyvips"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    api_port = int(os.environ.get("LOCAL_API_PORT", "3000"))
    aws_port = int(os.environ.get("LOCAL_AWS_PORT", "4566"))
    delivery_port = int(os.environ.get("LOCAL_DELIVERY_PORT", str(DEFAULT_DELIVERY_PORT)))
    state_path = local_state_path(api_port, aws_port)  # where the operator's tools (ops/) look for this stack
    # Held from now on (infra/ports.py): moto's server binds its own, before this process connects anywhere.
    reserve(aws_port, "LOCAL_AWS_PORT").close()
    api_socket = reserve(api_port, "LOCAL_API_PORT")

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signum, signal.SIG_DFL)  # a second Ctrl-C ends the process even if stopping hangs

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    aws_endpoint = f"http://127.0.0.1:{aws_port}"
    environment = local_environment(aws_endpoint)
    overrides = parameter_overrides(args.parameter_overrides)
    template = LocalTemplate(args.template, aws_endpoint, overrides, delivery_port)
    delivery_sockets = {logical_id: reserve(port, "LOCAL_DELIVERY_PORT")
                        for logical_id, port in template.delivery_ports.items()}
    with ExitStack() as running:
        s3_as_aws()
        sqs_as_aws()
        routing_listed_once()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=aws_port, verbose=False)
        moto.start()
        running.callback(moto.stop)
        session = boto3.Session()
        # A first signing key for private files' urls, made as an operator would (make signing-key), unless the
        # stack is told which to use.
        if SIGNING_KEY_PARAMETER not in overrides:
            overrides[SIGNING_KEY_PARAMETER] = SigningKeys(session.client("ssm"), STACK_NAME).create()
        template = LocalTemplate(args.template, aws_endpoint, overrides, delivery_port)
        template = LocalTemplate(args.template, aws_endpoint, with_own_ports(template, aws_port), delivery_port)
        assigned_ids = create_resources(template, session)
        usage_plan_id = assigned_ids[template.only("AWS::ApiGateway::UsagePlan").logical_id]
        keys_table = template.physical_name("ApiKeysTable")
        apigateway: APIGatewayClient = session.client("apigateway")
        dynamodb: DynamoDBClient = session.client("dynamodb")
        functions = load_functions(template, environment)
        api = LocalApi(template, functions, apigateway, usage_plan_id)
        # A first key, made as an operator would (make keys), so the stack is usable at once.
        private_key, first_key = KeyManager(
            KeyStore(dynamodb, keys_table), apigateway, usage_plan_id, STACK_NAME
        ).create("local")
        server = serve_api(api, api_socket)
        running.callback(server.server_close)
        running.callback(server.shutdown)
        threading.Thread(target=server.serve_forever, name="api", daemon=True).start()
        sqs: SQSClient = session.client("sqs")
        for pump in event_source_pumps(template, functions, sqs):
            pump.start()
            running.callback(pump.stop)
        for distribution in start_distributions(template, session, delivery_sockets):
            running.callback(distribution.server_close)
            running.callback(distribution.shutdown)
        outputs = {
            "apiUrl": f"http://127.0.0.1:{api_port}",
            # The media-library page (PageFunction): open it in a browser and type the key.
            "pageUrl": f"http://127.0.0.1:{api_port}/",
            "awsEndpoint": aws_endpoint,
            # Where files are served, as the DeliveryUrl and SignedDeliveryUrl outputs say.
            **{name: f"http://{template.distribution_domain(logical_id)}"
               for name, logical_id in (("deliveryUrl", "PublicDelivery"), ("signedDeliveryUrl", "SignedDelivery"))
               if template.has(logical_id)},
            "region": REGION,
            # For tools beside the stack: `make backfill` enqueues here, tests redeliver and inspect failures.
            "ingestQueueUrl": template.queue_url("IngestQueue"),
            "ingestLargeQueueUrl": template.queue_url("IngestLargeQueue"),
            "deadLetterQueueUrl": template.queue_url("IngestDeadLetterQueue"),
            "jobsQueueUrl": template.queue_url("JobsQueue"),
            "bucket": template.physical_name("UploadBucket"),
            "table": template.physical_name("FilesTable"),
            "keysTable": keys_table,
            "usagePlanId": usage_plan_id,
            "stackName": STACK_NAME,
            # What `make invoke` gives a function: the same template parameters as this stack's.
            "parameterOverrides": template.parameter_overrides,
            # The same key twice: privateKey for HTTP Basic and the SDKs, apiKey for x-api-key callers; and its
            # public key, which names it in client-side uploads (no secret).
            "privateKey": private_key,
            "apiKey": private_key,
            "publicKey": first_key.public_key,
            # So the tools can tell this stack's file from one a killed stack left behind.
            "pid": os.getpid(),
        }
        running.enter_context(state_file(state_path, outputs))
        # The key goes to the outputs file only, never to the console or a log.
        print(json.dumps({k: v for k, v in outputs.items() if k not in ("privateKey", "apiKey", "pid")}, indent=2),
              flush=True)
        print(f"Local stack is up; outputs in {state_path}. Ctrl-C stops it.", file=sys.stderr, flush=True)
        while not stop.wait(0.5):  # a timed wait lets the main thread run the signal handler promptly
            pass
        log.info("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
