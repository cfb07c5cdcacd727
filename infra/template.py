"""template.yaml as `sam local` reads it, with the names, ARNs and queue URLs the resources have on moto.

SAM CLI's own code does the reading: its YAML loader (CloudFormation's short tags), the SAM plugins
(`Globals` merged into each function, the API's implicit paths), its intrinsic resolver (conditions
included) and its function and API providers. The local stack adds only what SAM's symbol table leaves as
logical IDs: the names of the buckets, queues and tables it creates, their ARNs, and queue URLs.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from samcli.commands._utils.template import get_template_data
from samcli.lib.intrinsic_resolver.intrinsic_property_resolver import IntrinsicResolver
from samcli.lib.intrinsic_resolver.intrinsics_symbol_table import IntrinsicsSymbolTable
from samcli.lib.intrinsic_resolver.invalid_intrinsic_exception import InvalidSymbolException
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.provider import Api, Function, Stack
from samcli.lib.providers.sam_api_provider import SamApiProvider
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.samlib.wrapper import SamTranslatorWrapper
from samcli.local.apigw.route import Route

ACCOUNT_ID = "123456789012"  # moto's default account, and SAM's local one
REGION = "us-east-1"
STACK_NAME = "imagemeta-local"
PSEUDO_PARAMETERS = {
    **IntrinsicsSymbolTable.DEFAULT_PSEUDO_PARAM_VALUES,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Region": REGION,
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
    "AWS::URLSuffix": "amazonaws.com",
}
# The resource types the local stack creates on moto, and the property that names each explicitly.
NAME_PROPERTIES = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::DynamoDB::Table": "TableName",
}

# What a property or list item is when a condition leaves it out (CloudFormation's pseudo parameter).
NO_VALUE = {"Ref": "AWS::NoValue"}
# Where the local stack serves the template's CloudFront distributions: consecutive ports from this one, in
# the template's order (infra/delivery.py), as LOCAL_DELIVERY_PORT says.
DEFAULT_DELIVERY_PORT = 8001
DISTRIBUTION = "AWS::CloudFront::Distribution"

# SAM's notes are for `sam local` users (such as its authorizer-fidelity warning); docs/local-stack.md
# says what differs here. Its errors still show.
logging.getLogger("samcli").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Resource:
    """One resource of the template, Globals merged and intrinsics resolved."""

    logical_id: str
    type: str
    properties: dict[str, Any]


class ResolvedStack(Stack):
    """The root stack, its resources already through SAM's plugins and resolved to local names.

    `Stack.resources` would run the plugins and SAM's default resolution again, which would name every
    resource by its logical ID; SAM's providers read these resources as they are.
    """

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.template_dict["Resources"])


def chosen_branches(node: Any, holds: Callable[[str], bool]) -> Any:
    """A template node with each Fn::If replaced by the branch its condition picks, and AWS::NoValue (a property or
    list item a condition leaves out) removed, as CloudFormation does before reading a resource's properties."""
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            condition, when_true, when_false = node["Fn::If"]
            return chosen_branches(when_true if holds(condition) else when_false, holds)
        chosen = {name: chosen_branches(value, holds) for name, value in node.items()}
        return {name: value for name, value in chosen.items() if value != NO_VALUE}
    if isinstance(node, list):
        return [value for value in (chosen_branches(item, holds) for item in node) if value != NO_VALUE]
    return node


def declared_methods_first(collector: Any) -> list[Route]:
    """SAM's merge of an API's routes, but as API Gateway chooses a path's method: one the path declares itself
    before the path's ANY (SAM keeps whichever comes last, so a GET beside an ANY would be lost)."""
    chosen: dict[tuple[str, str], Route] = {}
    for _, routes in collector:
        for route in routes:
            for method in route.methods:
                held = chosen.get((route.path, method))
                if held is None or len(route.methods) < len(held.methods):
                    chosen[(route.path, method)] = route
    return list(set(chosen.values()))


class LocalTemplate:
    """The template bound to the local stack: parameters (defaults or overrides), resources, functions, API."""

    def __init__(
        self, path: Path, aws_endpoint: str = "", parameter_overrides: Mapping[str, str] | None = None,
        delivery_port: int = DEFAULT_DELIVERY_PORT,
    ) -> None:
        document = get_template_data(str(path))
        declared = document.get("Parameters") or {}
        overrides = dict(parameter_overrides or {})
        unknown = set(overrides) - set(declared)
        if unknown:
            raise ValueError(f"the template has no parameters {sorted(unknown)}")
        self.directory = path.parent
        self.aws_endpoint = aws_endpoint
        self.parameter_overrides = overrides
        self.parameters: dict[str, Any] = {
            **PSEUDO_PARAMETERS,
            **{name: spec["Default"] for name, spec in declared.items() if "Default" in spec},
            **overrides,
        }
        processed = SamTranslatorWrapper(document, parameter_values=self.parameters).run_plugins()
        # Every distribution the template declares has its port, whether its condition holds or not: the ports
        # stay the same when a parameter switches one off.
        self.delivery_ports = {
            logical_id: delivery_port + index
            for index, logical_id in enumerate(
                logical_id for logical_id, spec in processed["Resources"].items() if spec["Type"] == DISTRIBUTION
            )
        }
        symbols = IntrinsicsSymbolTable(template=processed, logical_id_translator=dict(self.parameters))
        symbols.default_type_resolver.update(self._local_attributes())
        self._resolver = IntrinsicResolver(template=processed, symbol_resolver=symbols)
        conditions = processed.get("Conditions") or {}

        def holds(condition: str) -> bool:
            return bool(self._resolver.intrinsic_property_resolver(conditions[condition], False))

        def exists(spec: dict[str, Any]) -> bool:
            return "Condition" not in spec or holds(spec["Condition"])

        # SAM's resolver cannot leave a value out (AWS::NoValue in an Fn::If): the branches are chosen first.
        processed["Resources"] = chosen_branches(processed["Resources"], holds)

        self._declared = {logical_id: spec for logical_id, spec in processed["Resources"].items() if exists(spec)}
        # Strict, unlike `sam local`: a reference the local stack cannot resolve stops it at start, naming the
        # resource, rather than reaching a function as an unresolved value.
        resolved = self._resolver.resolve_attribute(self._declared, ignore_errors=False)
        self.stack = ResolvedStack("", "", str(path), self.parameters, {**processed, "Resources": resolved})

    # Resources -----------------------------------------------------------------------------

    def resources(self, resource_type: str) -> Iterator[Resource]:
        """The resources of one type, in template order."""
        return (r for r in map(self.resource, self.stack.resources) if r.type == resource_type)

    def has(self, logical_id: str) -> bool:
        """Whether the stack creates this resource (its condition, if any, holds)."""
        return logical_id in self._declared

    def resource(self, logical_id: str) -> Resource:
        spec = self.stack.resources[logical_id]
        return Resource(logical_id, spec["Type"], spec.get("Properties") or {})

    def only(self, resource_type: str) -> Resource:
        """The single resource of a type; the local stack's outputs assume there is exactly one."""
        found = list(self.resources(resource_type))
        if len(found) != 1:
            raise ValueError(f"template declares {len(found)} {resource_type}, the local stack expects one")
        return found[0]

    @cached_property
    def functions(self) -> list[Function]:
        """Every function as SAM's provider reads it: Globals merged, environment and events resolved."""
        return list(SamFunctionProvider([self.stack], ignore_code_extraction_warnings=True).get_all())

    def function(self, logical_id: str) -> Function:
        found = [f for f in self.functions if f.name == logical_id]
        if not found:
            raise KeyError(f"no function {logical_id!r}; the template has {', '.join(f.name for f in self.functions)}")
        return found[0]

    @cached_property
    def api(self) -> Api:
        """The routes and authorizers as SAM's API provider reads them (a path's own methods kept beside its ANY)."""
        merge = SamApiProvider.merge_routes
        SamApiProvider.merge_routes = staticmethod(declared_methods_first)
        try:
            return ApiProvider([self.stack], cwd=str(self.directory)).api
        finally:
            SamApiProvider.merge_routes = merge

    # Local names ---------------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        """The name moto knows a bucket, queue or table by: its name property, else one derived from the stack's."""
        spec = self._created(logical_id)
        name_property = NAME_PROPERTIES[spec["Type"]]
        properties = spec.get("Properties") or {}
        if name_property in properties:
            return str(self._resolver.intrinsic_property_resolver(properties[name_property], False))
        name = f"{STACK_NAME}-{logical_id}"
        # S3 bucket names are lowercase; the other services accept the logical ID's case. CloudFormation ends a
        # FIFO queue's generated name with ".fifo", as SQS requires.
        if spec["Type"] == "AWS::SQS::Queue" and properties.get("FifoQueue"):
            return name + ".fifo"
        return name.lower() if spec["Type"] == "AWS::S3::Bucket" else name

    def arn(self, logical_id: str) -> str:
        resource_type = self._created(logical_id)["Type"]
        name = self.physical_name(logical_id)
        if resource_type == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{name}"
        if resource_type == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
        return f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"

    def queue_url(self, logical_id: str) -> str:
        return f"{self.aws_endpoint}/{ACCOUNT_ID}/{self.physical_name(logical_id)}"

    def logical_id_of_arn(self, arn: str) -> str:
        """The bucket, queue or table a resolved ARN names (event sources and redrive targets are ARNs)."""
        for logical_id, spec in self._declared.items():
            if spec["Type"] in NAME_PROPERTIES and self.arn(logical_id) == arn:
                return logical_id
        raise KeyError(f"no bucket, queue or table of the template has the ARN {arn}")

    def distribution_domain(self, logical_id: str) -> str:
        """Where the local stack serves a distribution: loopback, its own port."""
        return f"127.0.0.1:{self.delivery_ports[logical_id]}"

    def _created(self, logical_id: str) -> dict[str, Any]:
        spec = self._declared.get(logical_id)
        if spec is None or spec["Type"] not in NAME_PROPERTIES:
            raise InvalidSymbolException(f"{logical_id} is not a bucket, queue or table of the template")
        return spec

    def _local_attributes(self) -> dict[str, dict[str, Callable[[str], str]]]:
        """Ref and GetAtt of the types created on moto, for SAM's symbol table (by type, then attribute)."""
        return {
            "AWS::S3::Bucket": {
                "Ref": self.physical_name,
                "Arn": self.arn,
                "DomainName": lambda logical_id: f"{self.physical_name(logical_id)}.s3.amazonaws.com",
                "RegionalDomainName": lambda logical_id: f"{self.physical_name(logical_id)}.s3.{REGION}.amazonaws.com",
            },
            "AWS::SQS::Queue": {
                "Ref": self.queue_url,
                "Arn": self.arn,
                "QueueName": self.physical_name,
                "QueueUrl": self.queue_url,
            },
            "AWS::DynamoDB::Table": {"Ref": self.physical_name, "Arn": self.arn},
            # CloudFront's resources have ids, and a distribution its domain: the local stack's delivery ports.
            **{resource_type: {"Ref": cloudfront_id, "Id": cloudfront_id} for resource_type in CLOUDFRONT_IDS},
            DISTRIBUTION: {"Ref": cloudfront_id, "Id": cloudfront_id, "DomainName": self.distribution_domain},
            "AWS::CloudFront::Function": {
                "FunctionARN": lambda logical_id: f"arn:aws:cloudfront::{ACCOUNT_ID}:function/{logical_id}",
            },
        }


def cloudfront_id(logical_id: str) -> str:
    """The id the local stack gives a CloudFront resource (CloudFront's are upper-case letters and digits)."""
    return "L" + logical_id.upper()


# CloudFront resources a template refers to by Ref or Id only.
CLOUDFRONT_IDS = ("AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::ResponseHeadersPolicy",
                  "AWS::CloudFront::PublicKey", "AWS::CloudFront::KeyGroup")
