"""Weeks 1-2 and deploy.yml on real containers: the sample app built and pushed by phase 1.3, run by ECS as its
task definitions say (tests/harness/container_runner.py), behind health checks made as the load balancer makes
them. Verified through the registry, ECR, ECS, DescribeTargetHealth, SQL and HTTP to the running tasks, and
through the failure paths: a backend that exits at start and one whose health check fails each stop
deploy.yml naming the service and the reason, while the previous revision keeps serving."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX
from tests.harness.containers import Browser, ContainerWorld, app_checkout, commit, head
from tests.harness.docker_engine import docker

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path):
    with ContainerWorld(tmp_path) as world:
        yield world


def play(world, name, app, **extra):
    return run_playbook(str(REPO / "playbooks" / name), world.emulator.env(), timeout=1200,
                        extra_vars={"precedentum_app_path": str(app), **world.app_vars, **extra})


def services(world) -> dict:
    ecs = world.emulator.client("ecs")
    names = [f"{PREFIX}-backend", f"{PREFIX}-frontend"]
    found = ecs.describe_services(cluster=PREFIX, services=names)["services"]
    return {s["serviceName"].rsplit("-", 1)[-1]: s for s in found}


def targets(world, part) -> list[dict]:
    elbv2 = world.emulator.client("elbv2")
    arn = elbv2.describe_target_groups(Names=[f"{PREFIX}-{part}"])["TargetGroups"][0]["TargetGroupArn"]
    return elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]


def healthy(world, part) -> list[str]:
    return [t["Target"]["Id"] for t in targets(world, part) if t["TargetHealth"]["State"] == "healthy"]


def get(address, port, path, host):
    request = urllib.request.Request(f"http://{address}:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def image_tags(world) -> set:
    return {s["taskDefinition"] for s in services(world).values()}


def database(world) -> tuple[str, str]:
    secret = json.loads(world.emulator.client("secretsmanager").get_secret_value(
        SecretId=f"{PREFIX}/rds/master")["SecretString"])
    return secret["dbname"], secret["username"]


def task_count(world) -> int:
    """Every task ECS has started, running or stopped, and the containers on the world's network."""
    ecs = world.emulator.client("ecs")
    started = sum(len(ecs.list_tasks(cluster=PREFIX, desiredStatus=status)["taskArns"])
                  for status in ("RUNNING", "STOPPED"))
    return started + len(docker("ps", "-aq", "--filter", f"network={world.network.name}").stdout.split())


def test_weeks_1_2_and_deploys_on_real_containers(world, tmp_path):
    app = app_checkout(tmp_path / "app")
    tag = head(app)

    # Week 1 with precedentum_app_path: phase 1.3 builds both images and pushes them to the registry.
    week1 = play(world, "week1.yml", app)
    assert week1.rc == 0, str(week1)
    for part in ("backend", "frontend"):
        assert tag in world.registry.tags(f"{PREFIX}/{part}"), f"{part}:{tag} not pushed"
        details = world.emulator.client("ecr").describe_images(repositoryName=f"{PREFIX}/{part}")["imageDetails"]
        assert [d for d in details if tag in d.get("imageTags", [])], f"ECR does not report {part}:{tag}"

    # Week 2: services stable only once their health checks pass; migrate, superuser and seed run for real.
    week2 = play(world, "week2.yml", app, ecs_seed="auto")
    assert week2.rc == 0, str(week2)
    assert "healthy targets" in week2.flat
    running = services(world)
    for part in ("backend", "frontend"):
        service = running[part]
        assert service["runningCount"] == 1 and service["deployments"][0]["rolloutState"] == "COMPLETED"
        assert len(healthy(world, part)) == 1
    dbname, _unused = database(world)
    assert world.postgres.psql("SELECT count(*) FROM judges_judge", dbname) == "8"
    assert world.postgres.psql("SELECT count(*) FROM auth_user WHERE is_superuser", dbname) == "1"

    # The backend answers through the load balancer's name (what the ecs role put in DJANGO_ALLOWED_HOSTS).
    lb_name = world.emulator.client("elbv2").describe_load_balancers(Names=[f"{PREFIX}-alb"])[
        "LoadBalancers"][0]["DNSName"]
    backend = healthy(world, "backend")[0]
    status, body = get(backend, 8000, "/accounts/login/", lb_name)
    assert status == 200 and "csrfmiddlewaretoken" in body, (status, body[:300])
    assert get(backend, 8000, "/accounts/login/", "other.example")[0] == 400
    # The superuser the one-off task made logs in through the backend's own login, and sees the 8 judges.
    secret = json.loads(world.emulator.client("secretsmanager").get_secret_value(
        SecretId=f"{PREFIX}/django/app")["SecretString"])
    browser = Browser(f"http://{backend}:8000", lb_name, proto="http")
    status, body, answer = browser.login(secret["superuser_username"], secret["superuser_password"])
    assert status == 302 and answer["Location"] == "/", (status, body[:800])
    status, body = browser.request("/api/judges/")[:2]
    assert status == 200 and json.loads(body)["count"] == 8, body[:300]
    frontend = healthy(world, "frontend")[0]
    assert '<div id="root"></div>' in get(frontend, 80, "/", lb_name)[1]

    # The seed's week-2 metric in a real browser, through the load balancer's rules as served: the front page
    # (frontend), its login link and Django's form (backend, /accounts/*), the judges from /api/judges/.
    with world.chromium() as chromium:
        with chromium.step("week 2: the superuser logs in at the load balancer's address"):
            chromium.login(f"http://{lb_name}", secret["superuser_username"], secret["superuser_password"])
        with chromium.step("week 2: the front page lists the 8 judges"):
            judges = chromium.judges()
            assert len(judges) == 8 and "Rebecca R. Pallmeyer — District Judge" in judges, judges
            assert chromium.text().count(secret["superuser_username"]) >= 1
        brief = tmp_path / "brief-v1.txt"
        brief.write_text("The first brief, uploaded before a deploy.\n")
        with chromium.step("week 2: the superuser uploads a file"):
            assert chromium.upload(f"http://{lb_name}", brief) == ["brief-v1.txt"]
    assert [p.name for p in chromium.shots] == [
        "01-week-2-the-superuser-logs-in-at-the-load-balancer-s-address.png",
        "02-week-2-the-front-page-lists-the-8-judges.png", "03-week-2-the-superuser-uploads-a-file.png"], chromium.shots
    # The upload is in phase 1.3's bucket (the task role's credentials, django-storages), not on the task's disk.
    s3 = world.emulator.client("s3")
    (bucket,) = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    stored = s3.get_object(Bucket=bucket, Key="uploads/brief-v1.txt")
    assert stored["Body"].read() == brief.read_bytes() and stored.get("ServerSideEncryption") == "AES256"

    # A re-run changes nothing and runs no task.
    before = task_count(world)
    again = play(world, "week2.yml", app, ecs_seed="auto")
    assert again.rc == 0 and again.changed == 0, str(again)
    assert task_count(world) == before, "a re-run started a task"

    # logs.yml shows what the backend's containers printed (gunicorn's start, the one-off tasks' migrations, Django
    # refusing a Host, each once), and run.yml runs a management command in a one-off task: its own output and exit
    # code, a failing one's too.
    logs = play(world, "logs.yml", app)
    assert logs.rc == 0 and "Booting worker" in logs.flat and "Applying judges.0001_initial" in logs.flat, str(logs)
    assert logs.flat.count("Applying judges.0001_initial") == 1, str(logs)
    count = "from judges.models import Judge; print('judges:', Judge.objects.count())"
    ran = play(world, "run.yml", app, ecs_run_command=["python", "manage.py", "shell", "-c", count])
    assert ran.rc == 0 and "judges: 8" in ran.flat and ": exit code 0" in ran.flat, str(ran)
    failing = ["python", "-c", "import sys; print('about to fail'); sys.exit(3)"]
    failed = play(world, "run.yml", app, ecs_run_command=failing)
    assert failed.rc != 0 and "about to fail" in failed.flat and "exit code 3" in failed.flat, str(failed)

    # deploy.yml of a new commit: built, pushed, both services rolled; the backend target group never empty.
    (app / "backend/judges/templates_marker.txt").write_text("v2\n")
    new_tag = commit(app, "v2")
    seen_empty, stop = [], threading.Event()

    unanswered = []

    def watch():
        while not stop.is_set():
            if not healthy(world, "backend"):
                seen_empty.append(time.monotonic())
            # and a visitor of the load balancer is answered all along
            status = world.sites.fetch(f"http://{lb_name}/api/health/", timeout=30)[0]
            if status != 200:
                unanswered.append(status)
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        deployed = play(world, "deploy.yml", app)
    finally:
        stop.set()
        watcher.join(5)
    assert deployed.rc == 0, str(deployed)
    assert not seen_empty, "the backend had no healthy target during the rollout"
    assert not unanswered, f"the load balancer answered {unanswered} during the rollout"
    assert new_tag in world.registry.tags(f"{PREFIX}/backend")
    rolled = services(world)
    for part in ("backend", "frontend"):
        definition = world.emulator.client("ecs").describe_task_definition(
            taskDefinition=rolled[part]["taskDefinition"])["taskDefinition"]
        assert definition["containerDefinitions"][0]["image"].endswith(f":{new_tag}")
        assert len(rolled[part]["deployments"]) == 1 and len(healthy(world, part)) == 1
    serving = healthy(world, "backend")[0]
    # The file uploaded before the deploy is still there: the new tasks read it from the bucket.
    with world.chromium() as chromium:
        with chromium.step("after a deploy: the file uploaded before it is still listed"):
            chromium.login(f"http://{lb_name}", secret["superuser_username"], secret["superuser_password"])
            chromium.judges()
            assert chromium.files(f"http://{lb_name}") == ["brief-v1.txt"]

    # A commit whose backend exits at start: the play fails naming the service and the reason; v2 serves on.
    # (wsgi.py: gunicorn imports it at start; the build's collectstatic and the migrations do not.)
    wsgi = app / "backend/precedentum/wsgi.py"
    good = wsgi.read_text()
    wsgi.write_text(good + '\nraise RuntimeError("broken on purpose")\n')
    refused_while_serving(world, app, "exits at start", "Essential container in task exited", serving)

    # A commit whose health check fails: the same, with the load balancer's reason.
    health = app / "backend/precedentum/health.py"
    wsgi.write_text(good)
    health.write_text(health.read_text().replace('JsonResponse({"status": "ok"})',
                                                 'JsonResponse({"status": "broken"}, status=500)'))
    refused_while_serving(world, app, "fails its health check", "failed ELB health checks", serving)

    # A one-off task is RUNNING while its command runs and STOPPED with its exit code once it ends (the one-off
    # module waits on this: phase 2.3's migrations must finish before the superuser and the seed run).
    ecs = world.emulator.client("ecs")
    backend_service = services(world)["backend"]
    arn = ecs.run_task(cluster=PREFIX, taskDefinition=backend_service["taskDefinition"], launchType="FARGATE",
                       count=1, networkConfiguration=backend_service["networkConfiguration"], overrides={
                           "containerOverrides": [{"name": "backend", "command": ["sh", "-c", "sleep 4; exit 3"]}]})[
        "tasks"][0]["taskArn"]
    assert ecs.describe_tasks(cluster=PREFIX, tasks=[arn])["tasks"][0]["lastStatus"] == "RUNNING"
    deadline = time.monotonic() + 60
    while (task := ecs.describe_tasks(cluster=PREFIX, tasks=[arn])["tasks"][0])["lastStatus"] != "STOPPED":
        assert time.monotonic() < deadline, task
        time.sleep(1)
    assert task["containers"][0]["exitCode"] == 3 and task["stoppedReason"] == "Essential container in task exited"

    # An image that is not in the registry: the task stops with ECS's CannotPullContainerError, nothing left running.
    definition = ecs.describe_task_definition(taskDefinition=services(world)["backend"]["taskDefinition"])[
        "taskDefinition"]
    containers = [{**c, "image": c["image"].rsplit(":", 1)[0] + ":000000000000"}
                  for c in definition["containerDefinitions"]]
    missing = ecs.register_task_definition(
        family=f"{PREFIX}-missing-image", containerDefinitions=containers, networkMode="awsvpc", cpu="256",
        memory="512", requiresCompatibilities=["FARGATE"],
        executionRoleArn=definition["executionRoleArn"])["taskDefinition"]["taskDefinitionArn"]
    network = services(world)["backend"]["networkConfiguration"]
    arn = ecs.run_task(cluster=PREFIX, taskDefinition=missing, launchType="FARGATE", count=1,
                       networkConfiguration=network)["tasks"][0]["taskArn"]
    task = ecs.describe_tasks(cluster=PREFIX, tasks=[arn])["tasks"][0]
    assert task["lastStatus"] == "STOPPED" and task["stoppedReason"].startswith("CannotPullContainerError"), task
    assert not docker("ps", "-aq", "--filter", f"label=precedentum.task={arn.rsplit('/', 1)[-1]}").stdout.split()

    # pause.yml stops every task of the services (no container left running, no target registered) and
    # resume.yml starts them again on the revisions they had: a new backend task, healthy, serving the judges.
    revisions = image_tags(world)
    paused = play(world, "pause.yml", app)
    assert paused.rc == 0, str(paused)
    assert healthy(world, "backend") == [] and healthy(world, "frontend") == []
    assert [s["runningCount"] for s in services(world).values()] == [0, 0]
    assert not docker("ps", "-q", "--filter", f"network={world.network.name}",
                      "--filter", "label=precedentum.task").stdout.split()
    resumed = play(world, "resume.yml", app)
    assert resumed.rc == 0, str(resumed)
    assert image_tags(world) == revisions
    (address,) = healthy(world, "backend")
    assert address != serving and get(address, 8000, "/api/health/", f"{address}:8000")[0] == 200
    browser = Browser(f"http://{address}:8000", lb_name, proto="http")
    assert browser.login(secret["superuser_username"], secret["superuser_password"])[0] == 302
    status, body = browser.request("/api/judges/")[:2]
    assert status == 200 and json.loads(body)["count"] == 8, body[:300]

    # backup.yml dumps the database to this machine; a judge renamed afterwards, restore.yml puts the dump back and
    # the running backend serves the restored judges.
    local = {"rds_data_host_override": "127.0.0.1", "rds_data_port_override": world.postgres.port}
    backed = play(world, "backup.yml", app, rds_backup_dir=str(tmp_path / "backups"), rds_backup_name="containers",
                  **local)
    assert backed.rc == 0, str(backed)
    world.postgres.psql("UPDATE judges_judge SET full_name = 'Renamed After The Backup' WHERE full_name LIKE "
                        "'Rebecca R. Pallmeyer%'", dbname)
    changed = [j["full_name"] for j in json.loads(browser.request("/api/judges/")[1])["judges"]]
    assert "Renamed After The Backup" in changed and "Rebecca R. Pallmeyer" not in changed, changed
    restored = play(world, "restore.yml", app, restore_dump=str(tmp_path / "backups" / f"{PREFIX}-db-containers.dump"),
                    **local)
    assert restored.rc == 0, str(restored)
    served = [j["full_name"] for j in json.loads(browser.request("/api/judges/")[1])["judges"]]
    assert len(served) == 8 and "Rebecca R. Pallmeyer" in served and "Renamed After The Backup" not in served, served

    # rollback.yml goes back to the first image (the two refused commits never completed a rollout), waiting until
    # the new backend task is healthy; a second run changes nothing; a named tag goes forward again.
    back = play(world, "rollback.yml", app)
    assert back.rc == 0 and f"Rolling back from {new_tag} to {tag}" in back.flat, str(back)
    for part, service in services(world).items():
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert definition["containerDefinitions"][0]["image"].endswith(f":{tag}"), part
    (address,) = healthy(world, "backend")
    running = docker("ps", "--format", "{{.Image}}", "--filter", f"network={world.network.name}",
                     "--filter", "label=precedentum.task").stdout.split()
    assert len(running) == 2 and all(image.endswith(f":{tag}") for image in running), running
    assert get(address, 8000, "/api/health/", f"{address}:8000")[0] == 200
    again = play(world, "rollback.yml", app)
    assert again.rc == 0 and again.changed == 0 and "put back by a rollback from" in again.flat, str(again)
    forward = play(world, "rollback.yml", app, ecs_rollback_tag=new_tag)
    assert forward.rc == 0 and image_tags(world) != revisions and len(healthy(world, "backend")) == 1, str(forward)


def refused_while_serving(world, app, message, reason, serving):
    """deploy.yml of the checkout's change fails naming the backend service and ``reason``, and the task that
    served before is still the one healthy target, answering."""
    commit(app, message)
    refused = play(world, "deploy.yml", app)
    assert refused.rc != 0, str(refused)
    assert f"{PREFIX}-backend" in refused.flat and reason in refused.flat, str(refused)
    assert healthy(world, "backend") == [serving]
    assert get(serving, 8000, "/api/health/", f"{serving}:8000")[0] == 200
