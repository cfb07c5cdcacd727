"""Lambda: GET /v1/files/{fileId}/metadata, GET /v1/files?path=, and the similar-image searches."""
import boto3
from botocore.config import Config
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from service.config import storage_from_env
from service.files_api import register_file_routes
from service.http import build_resolver
from service.overflow import OverflowStore
from service.records import RecordStore
from service.similar_api import register_similar_routes
from service.similar_index import PROBE_CONCURRENCY, SimilarIndex

logger = Logger()
storage = storage_from_env()
app = build_resolver(logger)
# A search reads many index buckets in parallel: one pooled connection for each.
dynamodb = boto3.client("dynamodb", config=Config(max_pool_connections=PROBE_CONCURRENCY))
store = RecordStore(dynamodb, storage.table, OverflowStore(boto3.client("s3"), storage.bucket))
register_file_routes(app, store, storage.bucket)
register_similar_routes(app, store, SimilarIndex(dynamodb, storage.table), logger)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
