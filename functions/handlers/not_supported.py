"""Lambda: every route of the API no other function serves (the hosted API's accounts, saved extensions, named
transformations, the v2 upload, ...): 501 "not supported by this service", and 405 for a method a served path
does not take; the SDKs do not retry either.

Its resolver has no routes, so every request reaches its not-found handler (service/api/resolver.py). It has
no settings and touches nothing but its logs; API Gateway runs the authorizer first, so a caller without a key
gets 401 here too, and cannot tell the service's routes from others.
"""
from aws_lambda_powertools import Logger

from . import LambdaHandler, built_on_lookup
from .api import api_handler


def build() -> LambdaHandler:
    """The catch-all's handler."""
    logger = Logger()
    return api_handler(logger)


__getattr__ = built_on_lookup(build)
