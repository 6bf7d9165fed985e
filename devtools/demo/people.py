"""All demo accounts, in the order they depend on each other."""

from devtools.demo.reviewers import create_demo_reviewers
from devtools.demo.therapists import create_demo_therapists


def create_demo_people() -> list[str]:
    """Create the demo accounts; return the lines that tell a developer how to sign in."""
    reviewer, lines = create_demo_reviewers()
    lines += create_demo_therapists(reviewer)
    return lines
