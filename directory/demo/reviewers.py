"""The demo reviewer."""

from django.contrib.auth.models import Group

from accounts.models import User
from directory.demo.people_base import DEMO_PASSWORD, ensure_user


def create_demo_reviewers() -> tuple[User, list[str]]:
    reviewer = ensure_user("reviewer@demo.example", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    return reviewer, [f"reviewer@demo.example / {DEMO_PASSWORD} (a reviewer)"]
