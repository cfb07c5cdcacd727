"""Read template.yaml with CloudFormation's short tags and resolve its intrinsics to the local stack's names."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# The short form of every intrinsic function CloudFormation accepts in YAML.
SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!FindInMap": "Fn::FindInMap",
    "!Base64": "Fn::Base64",
    "!ImportValue": "Fn::ImportValue",
    "!GetAZs": "Fn::GetAZs",
    "!Cidr": "Fn::Cidr",
}

ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "us-east-1"
STACK_NAME = "imagemeta-local"

NO_VALUE = object()  # AWS::NoValue: the property is dropped, as CloudFormation does
SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class TemplateLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Tag value` into CloudFormation's long form `{"Fn::Tag": value}`."""


def _construct_intrinsic(function: str):  # type: ignore[no-untyped-def]
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        if function == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {function: value}

    return construct


for _tag, _function in SHORT_TAGS.items():
    TemplateLoader.add_constructor(_tag, _construct_intrinsic(_function))


def load_template(path: Path) -> dict[str, Any]:
    """The template as plain data, intrinsics in their long form."""
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=TemplateLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise ValueError(f"{path}: not a CloudFormation template (no Resources)")
    return document


@dataclass(frozen=True)
class Resource:
    """One resource of the template, its properties still unresolved."""

    logical_id: str
    type: str
    properties: dict[str, Any]


class LocalTemplate:
    """The template bound to local names: each resource gets the name it will have on moto."""

    def __init__(
        self,
        document: dict[str, Any],
        path: Path,
        aws_endpoint: str,
        parameter_overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.document = document
        self.directory = path.parent
        self.aws_endpoint = aws_endpoint
        declared = document.get("Parameters", {})
        overrides = parameter_overrides or {}
        unknown = set(overrides) - set(declared)
        if unknown:
            raise ValueError(f"the template has no parameters {sorted(unknown)}")
        self.parameters = {
            **{name: str(spec["Default"]) for name, spec in declared.items() if "Default" in spec},
            **overrides,
        }
        self._resources = {
            logical_id: Resource(logical_id, spec["Type"], spec.get("Properties") or {})
            for logical_id, spec in document["Resources"].items()
            if "Condition" not in spec or self.condition(spec["Condition"])
        }

    def resources(self, resource_type: str) -> Iterator[Resource]:
        """The resources of one type, in template order."""
        return (r for r in self._resources.values() if r.type == resource_type)

    def resource(self, logical_id: str) -> Resource:
        return self._resources[logical_id]

    def only(self, resource_type: str) -> Resource:
        """The single resource of a type; the local stack's outputs assume there is exactly one."""
        found = list(self.resources(resource_type))
        if len(found) != 1:
            raise ValueError(f"template declares {len(found)} {resource_type}, the local stack expects one")
        return found[0]

    def globals_for(self, section: str) -> dict[str, Any]:
        """SAM's Globals section for a resource kind (Function, Api), empty when absent."""
        return dict(self.document.get("Globals", {}).get(section) or {})

    # Names -------------------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        """The name moto will know the resource by: its explicit name property, else a stack-derived one."""
        resource = self._resources[logical_id]
        name_property = {
            "AWS::S3::Bucket": "BucketName",
            "AWS::SQS::Queue": "QueueName",
            "AWS::DynamoDB::Table": "TableName",
            "AWS::Serverless::Function": "FunctionName",
        }.get(resource.type)
        if name_property and name_property in resource.properties:
            return str(self.resolve(resource.properties[name_property]))
        name = f"{STACK_NAME}-{logical_id}"
        # S3 bucket names are lowercase; the other services accept the logical ID's case.
        return name.lower() if resource.type == "AWS::S3::Bucket" else name

    def arn(self, logical_id: str) -> str:
        resource = self._resources[logical_id]
        name = self.physical_name(logical_id)
        if resource.type == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{name}"
        if resource.type == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
        if resource.type == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
        if resource.type == "AWS::Serverless::Function":
            return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
        return f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/{logical_id}"

    def queue_url(self, logical_id: str) -> str:
        return f"{self.aws_endpoint}/{ACCOUNT_ID}/{self.physical_name(logical_id)}"

    def logical_id_of_arn(self, arn: str) -> str:
        """The resource a resolved ARN names (event sources and redrive targets are given as ARNs)."""
        for logical_id in self._resources:
            if self.arn(logical_id) == arn:
                return logical_id
        raise KeyError(f"no resource of the template has the ARN {arn}")

    # Intrinsics --------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function evaluated against the local names."""
        if isinstance(value, list):
            items = (self.resolve(item) for item in value)
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref" or key.startswith("Fn::"):
                return self._intrinsic(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _intrinsic(self, function: str, argument: Any) -> Any:
        if function == "Ref":
            return self._ref(argument)
        if function == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self._get_att(logical_id, attribute)
        if function == "Fn::Sub":
            return self._sub(argument)
        if function == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in self.resolve(items))
        if function == "Fn::Select":
            index, items = self.resolve(argument)
            return items[int(index)]
        if function == "Fn::Split":
            separator, text = self.resolve(argument)
            return text.split(separator)
        if function == "Fn::If":
            condition, if_true, if_false = argument
            return self.resolve(if_true if self.condition(condition) else if_false)
        if function == "Fn::FindInMap":
            map_name, top_key, second_key = self.resolve(argument)
            return self.document["Mappings"][map_name][top_key][second_key]
        if function in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
            return self._evaluate_condition({function: argument})
        raise ValueError(f"the local stack does not evaluate {function}")

    def condition(self, name: str) -> bool:
        return self._evaluate_condition(self.document["Conditions"][name])

    def _evaluate_condition(self, expression: Any) -> bool:
        (function, argument), = expression.items()
        if function == "Condition":
            return self.condition(argument)
        if function == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not self._evaluate_condition(argument[0])
        if function == "Fn::And":
            return all(self._evaluate_condition(item) for item in argument)
        if function == "Fn::Or":
            return any(self._evaluate_condition(item) for item in argument)
        raise ValueError(f"not a condition: {expression!r}")

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name not in self._resources:
            raise KeyError(f"!Ref {name}: no such parameter (with a default) or resource")
        if self._resources[name].type == "AWS::SQS::Queue":
            return self.queue_url(name)
        return self.physical_name(name)

    def _get_att(self, logical_id: str, attribute: str) -> str:
        attributes: Mapping[str, str] = {
            "Arn": self.arn(logical_id),
            "QueueName": self.physical_name(logical_id),
            "QueueUrl": self.queue_url(logical_id),
            "DomainName": f"{self.physical_name(logical_id)}.s3.amazonaws.com",
            "RegionalDomainName": f"{self.physical_name(logical_id)}.s3.{REGION}.amazonaws.com",
        }
        if attribute not in attributes:
            raise ValueError(f"the local stack does not know !GetAtt {logical_id}.{attribute}")
        return attributes[attribute]

    def _sub(self, argument: str | list[Any]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        resolved_variables = {name: self.resolve(value) for name, value in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} is written as ${Literal}
            if name in resolved_variables:
                return str(resolved_variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self._get_att(*name.split(".", 1)))
            return str(self._ref(name))

        return SUB_VARIABLE.sub(substitute, text)
