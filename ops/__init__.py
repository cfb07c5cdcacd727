"""Operator tools that run outside Lambda, against the local stack or a deployed one: `python -m ops.keys`,
`python -m ops.backfill`. They find a stack through its outputs (ops.stack) and import nothing of infra/."""
