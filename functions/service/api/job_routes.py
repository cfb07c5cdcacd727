"""GET /v1/bulkJobs/{jobId}: where a folder job stands (the hosted API's job object)."""
from __future__ import annotations

import re

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter
from library.errors import JobNotFound
from library.jobs import DELETE_FOLDER

from .deps import ApiDeps
from .resolver import ok

JOB_ID = re.compile(r"[0-9a-f]{24}")


def router(deps: ApiDeps) -> Router:
    """GET /v1/bulkJobs/{jobId}."""
    routes = Router()
    stores = deps.storage

    @routes.get("/v1/bulkJobs/<jobId>")
    def job_status(jobId: str) -> Response:  # noqa: N803 - the contract's parameter name
        if not JOB_ID.fullmatch(jobId):
            raise BadParameter("Parameter `jobId` must be 24 lowercase hexadecimal digits, as a job's answer gives it.")
        found = stores.jobs.status(jobId)
        # A folder delete runs as a job too, but its id is never handed out: it is no job of the hosted API's.
        if found is None or found.kind == DELETE_FOLDER:
            raise JobNotFound()
        answer = {"jobId": found.job_id, "type": found.kind, "status": found.status}
        if found.purge_request_id is not None:
            answer["purgeRequestId"] = found.purge_request_id
        return ok(routes, answer)

    return routes
