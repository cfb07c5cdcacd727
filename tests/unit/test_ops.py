"""The operator's tools find a stack by its outputs: a running local stack's outputs file or a deployed stack's."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import boto3
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import mock_aws

from ops.env import main as env_main
from ops.keys import main as keys_main
from ops.signing_keys import SigningKeys, key_prefix
from ops.signing_keys import main as signing_keys_main
from ops.stack import DEPLOYED_OUTPUTS, STATE_FILE, deployed_stack, local_stack, local_state_path, running_local_state

LOCAL_OUTPUTS = {
    "apiUrl": "http://127.0.0.1:3000",
    "awsEndpoint": "http://127.0.0.1:4566",
    "region": "us-east-1",
    "stackName": "imagemeta-local",
    "keysTable": "imagemeta-local-ApiKeysTable",
    "usagePlanId": "plan123",
}


def write_outputs(directory: Path, api_port: int, aws_port: int, pid: int, **outputs: str) -> Path:
    """An outputs file as the local stack on these ports writes it, from a process with this pid."""
    path = directory / STATE_FILE.format(api_port=api_port, aws_port=aws_port)
    path.write_text(json.dumps({**LOCAL_OUTPUTS, "apiUrl": f"http://127.0.0.1:{api_port}", "pid": pid, **outputs}))
    return path


def test_the_local_stack_is_found_where_infra_writes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("LOCAL_API_PORT", raising=False)
    written = write_outputs(tmp_path, 3000, 4566, os.getpid())
    assert local_state_path(3000, 4566) == written == tmp_path / "stack-3000-4566.json"

    stack = local_stack()

    assert (stack.name, stack.endpoint, stack.output("keysTable")) == ("imagemeta-local", LOCAL_OUTPUTS["awsEndpoint"], LOCAL_OUTPUTS["keysTable"])
    assert stack.dynamodb.meta.endpoint_url == LOCAL_OUTPUTS["awsEndpoint"]
    with pytest.raises(SystemExit, match="has no output bucket"):
        stack.output("bucket")


def test_stacks_on_other_ports_keep_their_own_outputs_and_local_api_port_chooses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("LOCAL_API_PORT", raising=False)
    first = write_outputs(tmp_path, 3000, 4566, os.getpid())
    second = write_outputs(tmp_path, 3001, 4567, os.getpid())
    with pytest.raises(SystemExit, match=r"2 local stacks are running \(stack-3000-4566.json, stack-3001-4567.json\): choose one with LOCAL_API_PORT"):
        running_local_state()

    monkeypatch.setenv("LOCAL_API_PORT", "3001")
    assert running_local_state() == second
    assert local_stack().output("apiUrl") == "http://127.0.0.1:3001"
    monkeypatch.setenv("LOCAL_API_PORT", "3000")
    assert running_local_state() == first
    monkeypatch.setenv("LOCAL_API_PORT", "3002")
    with pytest.raises(SystemExit, match="no local stack with API port 3002 is running"):
        running_local_state()


def test_outputs_a_killed_stack_left_behind_are_not_a_running_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("LOCAL_API_PORT", raising=False)
    exited = subprocess.Popen(["true"])
    exited.wait()
    write_outputs(tmp_path, 3000, 4566, exited.pid)
    with pytest.raises(SystemExit, match="no local stack is running"):
        running_local_state()
    running = write_outputs(tmp_path, 3001, 4567, os.getpid())
    assert running_local_state() == running


def test_without_a_running_local_stack_the_command_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("LOCAL_API_PORT", raising=False)
    with pytest.raises(SystemExit, match="start the local stack"):
        keys_main(["--local", str(tmp_path / "stack-3000-4566.json"), "list"])
    with pytest.raises(SystemExit, match="no local stack is running .*start one with make run"):
        keys_main(["list"])


def test_a_deployed_stack_is_found_through_its_cloudformation_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # Outputs named as template.yaml names them, plus one the tools do not use.
    outputs = {key: f"value-of-{key}" for key in DEPLOYED_OUTPUTS} | {"AlarmTopicArn": "arn:aws:sns:us-east-1:1:t"}
    template = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    with mock_aws():
        boto3.client("cloudformation").create_stack(StackName="prod", TemplateBody=json.dumps(template))

        stack = deployed_stack("prod")

    assert (stack.name, stack.endpoint) == ("prod", None)
    assert dict(stack.outputs) == {local: f"value-of-{deployed}" for deployed, local in DEPLOYED_OUTPUTS.items()}
    assert stack.output("usagePlanId") == "value-of-UsagePlanId"


def test_make_env_prints_exports_a_shell_can_eval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = "private_a'b $c"  # quoted as the shell needs, whatever the characters
    state = tmp_path / "stack.json"
    state.write_text(json.dumps({**LOCAL_OUTPUTS, "bucket": "the-bucket", "privateKey": key,
                                 "publicKey": "public_xyz"}))

    assert env_main([str(state)]) == 0
    printed = capsys.readouterr().out
    shell = subprocess.run(
        ["bash", "-c", printed + 'printf "%s\\n" "$API" "$KEY" "$PUBLIC_KEY" "$BUCKET" "$AWS_ENDPOINT_URL" "$AWS_ACCESS_KEY_ID"'],
        capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]},
    )
    assert shell.stdout.splitlines() == ["http://127.0.0.1:3000", key, "public_xyz", "the-bucket", "http://127.0.0.1:4566",
                                      "local"]


def test_signing_keys_are_made_listed_and_deleted_in_parameter_store(monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    template = {"Parameters": {"SigningKeyName": {"Type": "String"}, "PreviousSigningKeyName": {"Type": "String"}},
                "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    with mock_aws():
        ssm = boto3.client("ssm")
        keys = SigningKeys(ssm, "prod")
        first = keys.create()
        prefix = key_prefix("prod") + first
        private = ssm.get_parameter(Name=f"{prefix}/private", WithDecryption=True)["Parameter"]
        public = ssm.get_parameter(Name=f"{prefix}/public")["Parameter"]
        assert (private["Type"], public["Type"]) == ("SecureString", "String")
        key = serialization.load_pem_private_key(private["Value"].encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
        assert key.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode() == public["Value"]
        boto3.client("cloudformation").create_stack(StackName="prod", TemplateBody=json.dumps(template), Parameters=[
            {"ParameterKey": "SigningKeyName", "ParameterValue": first},
            {"ParameterKey": "PreviousSigningKeyName", "ParameterValue": ""}])

        assert signing_keys_main(["--stack", "prod", "list"]) == 0
        assert capsys.readouterr().out.split() == [first, public["LastModifiedDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                   "in", "use"]
        with pytest.raises(SystemExit, match="still names"):  # the stack signs with it
            signing_keys_main(["--stack", "prod", "delete", first])
        keys.delete(first)
        assert keys.all() == []
