"""The HTTP API: the Powertools resolver, request parameters, the routes of each resource, the one error map."""
