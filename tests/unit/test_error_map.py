"""Each error the API can raise answers the contract's status, with the contract's body."""
from __future__ import annotations

import json

import pytest

from imagemeta import BadParameter, FetchRefused, ImageMetaError, NotAnImage, TooLarge, UpstreamError, UpstreamTimeout
from library.errors import RecordNotFound, SearchTooBroad
from service.api.error_map import error_body, status_of


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (BadParameter("Missing required query parameter `url`."), 400),
        (NotAnImage(), 400),
        (FetchRefused(), 403),
        (RecordNotFound(), 404),
        (TooLarge("The file is larger than the limit of 10 bytes."), 413),
        (SearchTooBroad("The search would read more than 5 files sharing one part of the hash."), 413),
        (UpstreamError("The remote server answered with HTTP status 404."), 502),
        (UpstreamTimeout(), 504),
        (ImageMetaError("unlisted"), 500),
    ],
)
def test_each_error_has_its_contract_status(error: ImageMetaError, status: int) -> None:
    assert status_of(error) == status
    assert json.loads(error_body(error)) == {"message": error.message, "help": error.help}


def test_the_service_errors_keep_the_contracts_texts() -> None:
    assert RecordNotFound().body() == {
        "message": "The requested file does not exist or is inaccessible at this time.",
        "help": "Check the fileId or path; uploads are processed within seconds.",
    }
    # Not the image's TooLarge: a caller's image is not what is too large here.
    assert not isinstance(SearchTooBroad(), TooLarge)
    assert "near-identical" in SearchTooBroad().help
