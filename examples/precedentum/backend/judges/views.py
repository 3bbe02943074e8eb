from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename

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


UPLOADS = "uploads/"


def _uploaded() -> list[str]:
    try:
        return sorted(default_storage.listdir(UPLOADS)[1])
    except FileNotFoundError:  # on disk, before the first upload
        return []


@login_required
def files_page(request):
    """Upload a file (kept in Django's default storage: the deployment's S3 bucket) and list those kept."""
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        default_storage.save(UPLOADS + get_valid_filename(upload.name), upload)
        return redirect("files-page")
    return render(request, "judges/files.html", {"names": _uploaded()})


@login_required
def file_download(request, name):
    path = UPLOADS + name
    if name != get_valid_filename(name) or not default_storage.exists(path):
        raise Http404("No such file")
    return FileResponse(default_storage.open(path, "rb"), as_attachment=True, filename=name)
