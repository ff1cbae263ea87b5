"""``Authorization: Bearer <token>`` for the partner API; every failure is one 401 (see
``catalog.services.api_tokens.api_token_authenticate``)."""

from ninja.security.http import HttpAuthBase

from catalog.services.api_tokens import api_token_authenticate


class TokenAuth(HttpAuthBase):
    openapi_scheme = "bearer"

    def __call__(self, request):
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        token = api_token_authenticate(
            raw=raw if scheme.lower() == "bearer" else "",
            client_ip=request.META.get("REMOTE_ADDR", ""),
        )
        # Anything that reads request.user (logging, the services' audit rows) sees the owner.
        request.user = token.created_by
        return token
