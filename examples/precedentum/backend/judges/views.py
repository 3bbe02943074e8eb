from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from .models import Judge


def _judges():
    return list(Judge.objects.select_related("court").values("slug", "full_name", "title", "court__code"))


@login_required
def judge_page(request):
    """The judges, rendered by Django (the React frontend shows the same list from /api/judges/)."""
    return render(request, "judges/list.html", {"judges": Judge.objects.select_related("court")})


def judge_list(request):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Log in first.", "login": "/accounts/login/"}, status=403)
    judges = _judges()
    return JsonResponse({"count": len(judges), "judges": judges})


def me(request):
    user = request.user
    return JsonResponse({"authenticated": user.is_authenticated,
                         "username": user.get_username() if user.is_authenticated else ""})
