"""template.yaml as the local stack reads it (infra.template), made once per set of parameters in a test session."""
from __future__ import annotations

from functools import cache

from infra.template import LocalTemplate

from .paths import ROOT

TEMPLATE = ROOT / "template.yaml"
AWS_ENDPOINT = "http://127.0.0.1:4566"


@cache
def local_template(**parameter_overrides: str) -> LocalTemplate:
    """The template with these parameters; queue URLs on AWS_ENDPOINT. Callers must not change what it returns."""
    return LocalTemplate(TEMPLATE, AWS_ENDPOINT, parameter_overrides)
