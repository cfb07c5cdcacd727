"""The file urls of the functions that answer File objects (files, upload, edit, organize): only they import
file_urls.py, whose signing loads cryptography with the first private file."""
from __future__ import annotations

from service.storage.delivery import Delivery
from service.storage.file_urls import FileUrls, secure_parameter

from .clients import AwsClients


def file_urls(clients: AwsClients, bucket: str, seconds: int, delivery: Delivery) -> FileUrls:
    """How the function makes File objects' urls: its S3 client presigns, SSM holds the key that signs CloudFront
    urls (read with the first private file)."""
    return FileUrls(clients.s3, bucket, seconds, delivery, lambda name: secure_parameter(clients.ssm, name))
