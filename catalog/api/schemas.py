"""Shapes of the API's bodies, for the OpenAPI schema and for parsing input."""

from typing import Literal

from ninja import Schema
from pydantic import Field


class Problem(Schema):
    code: str
    message: str
    where: str | None = None
    place: str | None = None
    line: int | None = None


class Error(Schema):
    """Every refusal, from every endpoint."""

    error: str = Field(description="What is wrong and how to fix it.")
    code: str = Field(description="The kind: bad_request, unauthorized, not_found, invalid…")
    fields: dict[str, list[str]] | None = Field(None, description="Messages by input field.")
    problems: list[Problem] | None = None
    warnings: dict[str, list[str]] | None = None


class CatalogEntry(Schema):
    name: str
    slug: str
    url: str
    description_html: str
    categories: list[str]
    website: str
    logo_url: str
    mark_url: str
    public_since: str | None
    status: Literal["public_beta", "public"]
    docs_url: str


class CatalogPage(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: str | None
    previous: str | None
    results: list[CatalogEntry]


class GateItem(Schema):
    key: str
    label: str
    passed: bool
    detail: str
    fix_url: str | None


class IntegrationOut(Schema):
    id: int
    name: str
    slug: str
    stage: Literal["signup", "spec", "build", "private_beta", "public"]
    next_stage: str | None
    waiting_on: Literal["staff", "partner", "release_train", "customer"] | None
    waiting_since: str | None
    due: str | None
    overdue: bool
    next_step: str | None
    checklist: list[GateItem]
    url: str
    spec_url: str
    metadata_url: str
    pull_requests_url: str


class IntegrationList(Schema):
    count: int
    results: list[IntegrationOut]


class Me(Schema):
    partner: str
    token: str
    acting_as: str
    integrations_url: str


class RevisionOut(Schema):
    number: int
    status: str
    created_at: str


class SpecOut(Schema):
    latest: RevisionOut | None
    live: int | None
    definition: dict


class Outcome(Schema):
    """What the page would say after the action. With ``dry_run`` nothing was saved."""

    dry_run: bool
    saved: bool
    message: str
    revision: RevisionOut | None = None
    warnings: dict[str, list[str]] | None = None
    url: str | None = None


class MetadataOut(Schema):
    latest: RevisionOut | None
    live: int | None
    fields: dict[str, str | None]
    asset_report: dict | None


class PullRequestIn(Schema):
    url: str = Field(max_length=500)
    kind: Literal["code", "docs"] = "code"
    description: str = Field("", max_length=10_000)
    unit_tests_added: bool = False
    tested_end_to_end: bool = False


class PullRequestOut(Schema):
    id: int
    kind: str
    url: str
    state: str
    description: str
    unit_tests_added: bool
    tested_end_to_end: bool
    expected_deploy: str | None = None
