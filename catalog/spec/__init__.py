"""The spec area's reads (selectors) live here; its services, forms and views sit beside the other
areas' (catalog/services/spec.py, pull_requests.py, change_requests.py, catalog/forms/spec.py,
catalog/views/spec.py)."""
