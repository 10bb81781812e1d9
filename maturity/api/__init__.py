"""The JSON API under ``/api/v1``: personal access tokens, bearer authentication, the
route registry that the OpenAPI document is generated from, and the core resources."""
