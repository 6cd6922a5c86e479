"""Demo credentials and the names the simulated worlds draw from."""

from __future__ import annotations

DEMO_CREDENTIALS: dict[str, dict[str, str]] = {
    "unpod": {
        "token": "sim-unpod-token-7f3a9c",
        "org_handle": "acme.com",
        "space_token": "F1O3QJM1Y7Q1AVVUYNV4VPRB",
    },
    "runtype": {"token": "rt_test_sim_4b8d2e6f"},
    "modus": {"token": "modus_00000000-0000-0000-0000-000000000001_sim_9c2e7a"},
}

# fmt: off
FIRST = [
    "Aarav", "Maya", "Daniel", "Sofia", "Rohan", "Emily", "Lucas", "Ananya", "Noah", "Isabella", "Kabir", "Olivia",
    "Ethan", "Meera", "Liam", "Zara", "Arjun", "Chloe", "Vikram", "Grace", "Omar", "Hannah",
]
LAST = [
    "Sharma", "Johnson", "Garcia", "Patel", "Nguyen", "Kim", "Brown", "Iyer", "Martinez", "Chen", "Singh", "Wilson",
    "Khan", "Lopez", "Reddy", "Clark", "Mehta", "Lewis", "Das", "Walker",
]
# fmt: on
