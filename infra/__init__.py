"""The local stack: `python -m infra` runs template.yaml on moto (see docs/local-stack.md)."""
