"""What simulated Unpod calls say: dialogues per scenario and post-call summaries."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_runs_mcp.simulator.unpod_world import UnpodAgent

# --- texts ---------------------------------------------------------------------------------------


def dialogue(
    agent: UnpodAgent, scenario: str, outcome: str, name: str, phone: str, email: str, rng: random.Random
) -> list[tuple[str, str]]:
    """A call's lines as ``(role, text)``, with ``assistant`` for the agent and ``user`` for the callee."""
    a, u = "assistant", "user"
    me = agent.persona
    first = name.split()[0]
    if scenario == "voicemail":
        return [
            (
                a,
                f"Hi {first}, this is {me} from Acme Solar. Sorry I missed you. Please call us back at "
                f"+1 415 555 0100 at your convenience. Thanks, and have a great day!",
            )
        ]
    if scenario == "short_hangup":
        return [
            (a, f"Hi, am I speaking with {name}? This is {me} calling from Acme Solar."),
            (u, "Not interested, please don't call again."),
        ]
    if agent.domain == "care":
        opening = [
            (
                a,
                f"Hi {first}, this is {me} from Acme Solar customer care, following up on your recent "
                "installation. Is now a good time?",
            ),
            (u, "Yes, it's fine."),
        ]
        body = {
            "Complaint": [
                (
                    u,
                    "Honestly I'm not happy. The installers left debris on the roof and the inverter keeps showing "
                    "an error.",
                ),
                (a, "I'm really sorry about that. Could you read me the error code on the inverter display?"),
                (u, "It says E-204. I want to file a complaint and I want someone here this week."),
                (
                    a,
                    "I understand. I've raised a priority complaint, ticket CR-"
                    + str(rng.randint(1000, 9999))
                    + ", and a technician will call you within 24 hours to schedule a visit.",
                ),
                (u, f"Fine. Send the ticket details to {email}."),
                (a, "Done. You'll get an email in a few minutes. Again, I apologize for the trouble."),
            ],
            "Resolved": [
                (u, "Everything's working well, the app shows the panels producing."),
                (a, "That's great to hear! Do you have any questions about the monitoring app?"),
                (u, "No, it's pretty clear. Thanks for checking."),
                (a, "You're welcome. Enjoy the sunshine!"),
            ],
            "Call Back": [
                (u, "I'm at work right now. Could you call me back this evening?"),
                (a, "Of course. I'll call you back today after 6 PM."),
            ],
            "Send Details": [
                (u, f"Can you email me the warranty documents? It's {email}."),
                (a, "Sure, I'll send the warranty pack to that address today."),
            ],
        }[outcome]
        return opening + body
    product = "Acme Care plan renewal" if agent.domain == "renewal" else "rooftop solar"
    opening = [
        (a, f"Hi, is this {name}? This is {me} calling from Acme Solar."),
        (u, "Yes, speaking. What is this about?"),
        (a, f"I'm calling about your {product}. Do you have two minutes?"),
        (u, rng.choice(["Sure, go ahead.", "Okay, quickly please.", "Yeah, what's up?"])),
    ]
    body = {
        "Interested": [
            (
                a,
                "Homes like yours usually cut their power bill by 30 to 40 percent. Would you like a free site "
                "survey this week?"
                if agent.domain == "sales"
                else "Your plan expires at the end of the month. Renewing now keeps your 10 percent loyalty discount.",
            ),
            (
                u,
                "That sounds good actually. Thursday afternoon works for me."
                if agent.domain == "sales"
                else "Okay, let's renew it.",
            ),
            (a, f"Great, I've booked it. You'll get a confirmation at {email}."),
            (u, "Perfect, thanks."),
            (a, f"Thank you, {first}. Have a great day!"),
        ],
        "Call Back": [
            (u, "I'm driving right now. Can you call me back tomorrow evening?"),
            (a, "Of course, I'll call you tomorrow around 6 PM. Drive safe!"),
        ],
        "Not Interested": [
            (
                u,
                rng.choice(
                    [
                        "No thanks, we just signed with another provider.",
                        "Not interested, it's too expensive for us.",
                        "We're renting, so that won't work.",
                    ]
                ),
            ),
            (a, "Understood. Thanks for your time, and have a good day."),
        ],
        "Send Details": [
            (u, f"Can you just send me the details? Text them to {phone} or email {email}."),
            (a, "Sure, I'll send a brochure and pricing right away."),
            (u, "Thanks."),
        ],
    }[outcome]
    return opening + body


def call_summary(agent: UnpodAgent, outcome: str, name: str) -> str:
    first = name.split()[0]
    return {
        "Interested": f"{first} is interested and agreed to the next step; confirmation sent by email.",
        "Call Back": f"{first} asked for a call back at a later time.",
        "Not Interested": f"{first} declined the offer.",
        "Send Details": f"{first} asked for details to be sent by message/email.",
        "Complaint": f"{first} raised a complaint about the installation (inverter error E-204); ticket opened.",
        "Resolved": f"{first} confirmed the system works; no issues.",
        "Not Connected": f"Reached {first}'s voicemail; left a message.",
        "Dropped": f"{first} hung up right after the introduction.",
    }[outcome]
