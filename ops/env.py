"""`python -m ops.env` (`make env`): shell exports for the running local stack, for `eval "$(make env)"`.

API, KEY (the first private key), PUBLIC_KEY (its public key, which names it in a browser's upload), BUCKET and
DELIVERY (where the stack serves files) for the README's examples, and what the AWS CLI
and boto3 need to reach the stack's moto server: its endpoint, its region and dummy credentials (moto takes
any; without them the CLI refuses to sign, and a developer's real ones would be sent to it).
"""
from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from .stack import local_stack


def exports(state_path: Path | None) -> dict[str, str]:
    """The variables, by name, for the stack whose outputs file is at state_path (None: the running one)."""
    stack = local_stack(state_path)
    delivery = {"DELIVERY": stack.outputs["deliveryUrl"]} if "deliveryUrl" in stack.outputs else {}
    return {
        "API": stack.output("apiUrl"),
        "KEY": stack.output("privateKey"),
        "PUBLIC_KEY": stack.output("publicKey"),
        "BUCKET": stack.output("bucket"),
        **delivery,
        "AWS_ENDPOINT_URL": stack.output("awsEndpoint"),
        "AWS_DEFAULT_REGION": stack.output("region"),
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }


def main(argv: Sequence[str] | None = None) -> int:
    state_path = Path(argv[0]) if argv else None
    for name, value in exports(state_path).items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
