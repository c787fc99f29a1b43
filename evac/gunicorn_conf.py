"""gunicorn settings for running evac in production (README, "Running it for real"):

    gunicorn -c python:evac.gunicorn_conf 'evac:create_app()'

The access log leaves out query strings and referrers: a search on the board is a GET whose
`q=` is a patient's name, and it must not land in a log file or a log shipper.
"""

import os

bind = os.environ.get("EVAC_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("EVAC_WORKERS", "4"))
# Imports of thousands of requests and PDF bundles take longer than gunicorn's default 30 s.
timeout = int(os.environ.get("EVAC_WORKER_TIMEOUT", "120"))
accesslog = os.environ.get("EVAC_ACCESS_LOG", "-")
errorlog = os.environ.get("EVAC_ERROR_LOG", "-")
# %(U)s is the path without its query string; no %(r)s, %(q)s or %(f)s (the referrer).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'
# Behind a TLS proxy on the same host; set FORWARDED_ALLOW_IPS for a proxy elsewhere.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
