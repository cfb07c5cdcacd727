"""Where records live: the DynamoDB record, oversized bodies in S3, object reads, the similar-image index."""
