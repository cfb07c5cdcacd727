"""Lambda: GET /v1/files/{fileId}/metadata and GET /v1/files?path=."""
import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from service.config import storage_from_env
from service.files_api import register_file_routes
from service.http import build_resolver
from service.records import RecordStore

logger = Logger()
storage = storage_from_env()
app = build_resolver(logger)
register_file_routes(app, RecordStore(boto3.client("dynamodb"), storage.table), storage.bucket)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
