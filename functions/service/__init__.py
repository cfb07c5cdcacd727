"""The AWS side of the service, in rooms: api/ (HTTP routes), ingest/ (S3 events -> records), storage/
(DynamoDB and S3), auth/ (the authorizer). Clients are passed in, never created here."""
