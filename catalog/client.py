"""Who is asking, as far as the request can tell."""


def client_ip(request) -> str | None:
    """The peer address. Behind a proxy, configure the proxy (or gunicorn's
    ``--forwarded-allow-ips``) to set it; a client-sent X-Forwarded-For is not trusted here."""
    return request.META.get("REMOTE_ADDR") or None
