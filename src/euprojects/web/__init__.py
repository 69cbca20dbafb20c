"""The portal: HTML pages under /{lang}/ and their JSON twins under /api/v1/ (Starlette)."""

from ._app import SECURITY_HEADERS, create_app, create_app_from_env
from ._errors import STATUS, status_of

__all__ = ["create_app", "create_app_from_env", "SECURITY_HEADERS", "STATUS", "status_of"]
