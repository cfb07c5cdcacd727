"""`python -m ops.signing_keys` (`make signing-key`): the key pairs that sign private files' CloudFront URLs.

A key pair lives in SSM Parameter Store under the stack's name, never in the template or a CloudFormation
parameter: `/imagemeta/<stack>/signing-keys/<name>/private` (a SecureString, PEM) and `.../public` (PEM).
template.yaml reads the public half when it deploys (`SigningKeyName` names the key; the key group's public key),
the files and upload functions read the private half when they sign their first private URL. Rotation (docs/deploy.md,
"Signing keys"): create a key, deploy with it as SigningKeyName and the old one as PreviousSigningKeyName, and once
the old one's URLs have expired (FileUrlSeconds), deploy without it and delete it.

Against a deployed stack (`--stack NAME`: the usual AWS credentials and region), or the running local stack (its
outputs file), which makes its first key itself when it starts.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .stack import Stack, deployed_stack, local_stack

# CloudFront signs with RSA keys of 2048 bits.
KEY_BITS = 2048
# The stack parameters that name the keys in use (template.yaml).
IN_USE_PARAMETERS = ("SigningKeyName", "PreviousSigningKeyName")


def key_prefix(stack_name: str) -> str:
    """Where a stack's key pairs are kept in Parameter Store (template.yaml's ReadSigningKey and SigningPublicKey)."""
    return f"/imagemeta/{stack_name}/signing-keys/"


@dataclass(frozen=True)
class SigningKey:
    name: str
    created_at: str


class SigningKeys:
    """A stack's key pairs in Parameter Store; the SSM client is passed in."""

    def __init__(self, ssm: Any, stack_name: str) -> None:
        self.ssm = ssm
        self.prefix = key_prefix(stack_name)

    def create(self) -> str:
        """A new key pair, named after the time it was made (seconds); its name."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        name = time.strftime("k%Y%m%d%H%M%S", time.gmtime())
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        # The private half first: a public key without it would be a key nothing can sign with.
        self.ssm.put_parameter(Name=f"{self.prefix}{name}/private", Value=private, Type="SecureString",
                               Description="Signs private files' CloudFront urls (make signing-key).")
        self.ssm.put_parameter(Name=f"{self.prefix}{name}/public", Value=public, Type="String",
                               Description="The CloudFront public key of the key pair (template.yaml reads it).")
        return name

    def all(self) -> list[SigningKey]:
        """Every key pair of the stack, oldest first."""
        found = {}
        for page in self.ssm.get_paginator("get_parameters_by_path").paginate(Path=self.prefix, Recursive=True):
            for parameter in page["Parameters"]:
                name, _, half = parameter["Name"].removeprefix(self.prefix).partition("/")
                if half == "public":
                    found[name] = SigningKey(name, parameter["LastModifiedDate"].strftime("%Y-%m-%dT%H:%M:%SZ"))
        return sorted(found.values(), key=lambda key: key.created_at)

    def delete(self, name: str) -> None:
        self.ssm.delete_parameters(Names=[f"{self.prefix}{name}/private", f"{self.prefix}{name}/public"])


def keys_in_use(stack: Stack) -> set[str]:
    """The names the stack's SigningKeyName and PreviousSigningKeyName parameters give."""
    if stack.endpoint is not None:  # the local stack: the parameters it runs with
        overrides: Any = stack.outputs.get("parameterOverrides") or {}  # the outputs file keeps them as an object
        parameters = dict(overrides)
    else:
        described = stack.cloudformation.describe_stacks(StackName=stack.name)["Stacks"][0]
        parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])}
    return {parameters[name] for name in IN_USE_PARAMETERS if parameters.get(name)}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.signing_keys", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", help="a deployed stack's name (uses the usual AWS credentials and region)")
    where.add_argument("--local", type=Path, help="the local stack's outputs file (default: the running one)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("create", help="make a key pair; prints its name")
    commands.add_parser("list", help="the stack's key pairs, oldest first, and which it uses")
    delete = commands.add_parser("delete", help="remove a key pair the stack no longer names")
    delete.add_argument("name")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stack = deployed_stack(args.stack) if args.stack else local_stack(args.local)
    keys = SigningKeys(stack.ssm, stack.name)
    if args.command == "create":
        name = keys.create()
        print(f"created signing key {name}; deploy with it (sam deploy --parameter-overrides SigningKeyName={name}, "
              "and PreviousSigningKeyName=<the one it replaces> during a rotation)", file=sys.stderr)
        print(name)
    elif args.command == "list":
        used = keys_in_use(stack)
        for key in keys.all():
            print(f"{key.name:<20} {key.created_at}  {'in use' if key.name in used else '-'}")
    else:
        if args.name in keys_in_use(stack):
            raise SystemExit(f"the stack still names {args.name}: deploy without it first")
        keys.delete(args.name)
        print(f"deleted signing key {args.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
