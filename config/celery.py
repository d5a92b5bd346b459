"""The Celery application: ``celery -A config worker -B`` (a worker with the beat scheduler).

Configured from Django's settings under the ``CELERY_`` namespace (``config/settings.py``, "Background work");
tasks are discovered in each installed app's ``tasks.py`` (``workflows/tasks.py``). Without ``CELERY_BROKER_URL``
(the default, ``make run``) the settings make every task run inline (``CELERY_TASK_ALWAYS_EAGER``), so neither
Redis nor a worker is needed; docs/operations.md, "Background work".
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
