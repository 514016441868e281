"""Serve the platform the way production does: gunicorn for the web, the Huey consumer for the
job queue (deadline sweeps, notifications, imports) beside it. Stops both on Ctrl-C or SIGTERM."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "以生产方式运行平台：gunicorn 网页服务 + 任务队列消费者"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
        parser.add_argument("--no-queue", action="store_true", help="不启动任务队列消费者")

    def handle(self, *args, port, host, workers, no_queue, **options):
        python = sys.executable
        web = [
            python, "-m", "gunicorn", "zhenjie.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
            "--access-logfile", "-", "--timeout", "120", "--graceful-timeout", "20",
        ]
        children = [subprocess.Popen(web)]
        if not no_queue:
            children.append(subprocess.Popen([python, "manage.py", "run_huey", "--quiet"], cwd=settings.BASE_DIR))
        self.stdout.write(self.style.SUCCESS(f"平台已启动：http://{host}:{port}/  (按 Ctrl-C 停止)"))

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 20
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.args[2] if len(child.args) > 2 else child.args for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            raise SystemExit(1)
