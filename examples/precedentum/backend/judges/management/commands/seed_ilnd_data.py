"""python manage.py seed_ilnd_data: the court and its 8 judges. Idempotent: a second run changes nothing
(rows are matched by their code and slug, and only missing or changed ones are written)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from judges.data import COURT, JUDGES
from judges.models import Court, Judge


class Command(BaseCommand):
    help = "Load the Northern District of Illinois and its 8 judges (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        court, made = Court.objects.update_or_create(code=COURT["code"], defaults={"name": COURT["name"]})
        changed = int(made)
        for slug, full_name in JUDGES:
            judge, made = Judge.objects.get_or_create(slug=slug, defaults={"court": court, "full_name": full_name})
            if not made and (judge.full_name, judge.court_id) != (full_name, court.pk):
                judge.full_name, judge.court = full_name, court
                judge.save()
                made = True
            changed += int(made)
        total = Judge.objects.filter(court=court).count()
        self.stdout.write(f"seed_ilnd_data: {changed} rows written, {total} judges in {court.code}.")
