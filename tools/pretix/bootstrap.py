"""Creates, in a migrated pretix database, what its REST API cannot create: an organizer, a team
of it with every permission on all its events, and an API token of that team. Prints the token
as `TOKEN=…` on its own line.

    PRETIX_CONFIG_FILE=pretix.cfg ORGANIZER=slug python -m pretix shell < bootstrap.py
"""
import os

from django_scopes import scopes_disabled

from pretix.base.models import Organizer, Team

slug = os.environ["ORGANIZER"]
with scopes_disabled():
    Organizer.objects.filter(slug=slug).delete()
    organizer = Organizer.objects.create(name="Théâtre des Quatre Vents", slug=slug)
    team = Team.objects.create(
        organizer=organizer, name="Jauge", all_events=True,
        all_event_permissions=True, all_organizer_permissions=True,
    )
    token = team.tokens.create(name="jauge")
    print(f"TOKEN={token.token}")
