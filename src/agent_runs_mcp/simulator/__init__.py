"""A faithful, deterministic simulator of the Unpod, Runtype and Modus APIs.

It serves the three APIs over real HTTP (``agent-runs-mcp simulate``) or in
process (demo mode, tests) from seeded data that looks like real operations:
outbound calling campaigns with transcripts and failures, LLM agent executions
with tool calls, and workflow runs with nodes and approvals. It is a
development tool; the adapters never special-case it.
"""
