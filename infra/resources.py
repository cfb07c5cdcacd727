"""Create on moto the queues, tables, bucket (with its notifications) and usage plan that the template declares."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3

from .template import LocalTemplate

if TYPE_CHECKING:
    from types_boto3_apigateway import APIGatewayClient
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_s3 import S3Client
    from types_boto3_s3.type_defs import QueueConfigurationTypeDef
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.literals import QueueAttributeNameType

# CloudFormation's AWS::SQS::Queue properties that are queue attributes of the same name.
QUEUE_ATTRIBUTES: tuple[QueueAttributeNameType, ...] = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
)

# The DynamoDB properties CreateTable takes as they are written in the template.
TABLE_PARAMETERS = (
    "KeySchema",
    "AttributeDefinitions",
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
)


def create_resources(template: LocalTemplate, session: boto3.Session) -> dict[str, str]:
    """Queues first (the bucket's notifications and the redrive policies point at them), then tables, buckets
    and usage plans. Returns the ids AWS assigns (usage plans) by logical id.
    """
    sqs: SQSClient = session.client("sqs")
    for queue in template.resources("AWS::SQS::Queue"):
        properties = queue.properties
        attributes: dict[QueueAttributeNameType, str] = {
            name: attribute_value(properties[name]) for name in QUEUE_ATTRIBUTES if name in properties
        }
        sqs.create_queue(QueueName=template.physical_name(queue.logical_id), Attributes=attributes)
    # A redrive policy names another queue, so it is set once all queues exist.
    for queue in template.resources("AWS::SQS::Queue"):
        redrive = queue.properties.get("RedrivePolicy")
        if redrive:
            sqs.set_queue_attributes(
                QueueUrl=template.queue_url(queue.logical_id),
                Attributes={"RedrivePolicy": json.dumps(redrive)},
            )

    dynamodb: DynamoDBClient = session.client("dynamodb")
    for table in template.resources("AWS::DynamoDB::Table"):
        name = template.physical_name(table.logical_id)
        dynamodb.create_table(TableName=name, **table_parameters(template, table.logical_id))
        ttl = table.properties.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)

    s3: S3Client = session.client("s3")
    for bucket in template.resources("AWS::S3::Bucket"):
        properties = bucket.properties
        name = template.physical_name(bucket.logical_id)
        s3.create_bucket(Bucket=name)
        versioning = properties.get("VersioningConfiguration")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning["Status"]})
        queue_configurations = (properties.get("NotificationConfiguration") or {}).get("QueueConfigurations", [])
        if queue_configurations:
            s3.put_bucket_notification_configuration(
                Bucket=name,
                NotificationConfiguration={
                    "QueueConfigurations": [queue_notification(c) for c in queue_configurations]
                },
            )

    # The local API checks the authorizer's usage identifier against the plan's keys, as API Gateway does;
    # throttling and quotas are not enforced here.
    apigateway: APIGatewayClient = session.client("apigateway")
    assigned_ids = {}
    for plan in template.resources("AWS::ApiGateway::UsagePlan"):
        # Only the name: ApiStages names SAM's derived `MetadataApi.Stage`, which only the transform resolves.
        name = plan.properties.get("UsagePlanName", plan.logical_id)
        created = apigateway.create_usage_plan(name=name)
        assigned_ids[plan.logical_id] = created["id"]
    return assigned_ids


def table_parameters(template: LocalTemplate, logical_id: str) -> dict[str, Any]:
    """CreateTable's parameters for a table of the template, all but its name: keys, indexes, billing.

    The handler tests and the search benchmark make their tables with these too, so the schema (the
    similar-image indexes included) is written once, in template.yaml.
    """
    properties = template.resource(logical_id).properties
    parameters = {key: properties[key] for key in TABLE_PARAMETERS if key in properties}
    parameters.setdefault("BillingMode", "PROVISIONED" if "ProvisionedThroughput" in parameters else "PAY_PER_REQUEST")
    return parameters


def attribute_value(value: Any) -> str:
    """SQS attributes are strings; YAML booleans become the API's `true`/`false`."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def queue_notification(configuration: dict[str, Any]) -> QueueConfigurationTypeDef:
    """CloudFormation's QueueConfiguration (one Event, S3Key filter) in the S3 API's shape."""
    notification: QueueConfigurationTypeDef = {"QueueArn": configuration["Queue"], "Events": [configuration["Event"]]}
    rules = configuration.get("Filter", {}).get("S3Key", {}).get("Rules", [])
    if rules:
        notification["Filter"] = {"Key": {"FilterRules": rules}}
    return notification
