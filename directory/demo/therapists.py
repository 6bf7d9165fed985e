"""Demo therapists in every state of the journey."""

from accounts.models import User
from directory.demo.people_base import DEMO_PASSWORD, ensure_user


def create_demo_therapists(reviewer: User) -> list[str]:
    ensure_user("therapist@demo.example")
    return [f"therapist@demo.example / {DEMO_PASSWORD} (a therapist with a verified email)"]
