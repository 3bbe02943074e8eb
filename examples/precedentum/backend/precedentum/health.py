"""The load balancer's health check: answered first, before Django validates the Host header (the load
balancer sends the task's own private address, which no ALLOWED_HOSTS can list) and without touching the
database (a database hiccup must not make the load balancer take every task out at once)."""

from django.http import JsonResponse

HEALTH_PATH = "/api/health/"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return JsonResponse({"status": "ok"})
        return self.get_response(request)
