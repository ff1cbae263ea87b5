"""Demo data for a local portal: staff and partner users, integrations in every stage, a beta link.

Idempotent: people, partners and integrations are looked up by their natural keys and created
only when missing, so a second run changes nothing (a stage moved by hand during a demo stays
moved). The one exception is the printed beta link: only a hash of a token is stored, so an
earlier link cannot be printed again, and each run issues one fresh link.

Names and descriptions are real catalog entries from ``catalog/data/segment-destinations.json``.
Passwords are fixed and printed: this command is for local demos only.
"""

import hashlib
import json
import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape as html_escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog import stages
from catalog.audit import Action
from catalog.models import (
    AgreementAcceptance,
    AuditLog,
    BetaLink,
    Category,
    CustomerVerification,
    Integration,
    MetadataRevision,
    Partner,
    PullRequest,
    ReviewStatus,
    SpecRevision,
    Stage,
    User,
)
from catalog.permissions import ensure_staff_group
from catalog.services.audit import audit_record
from catalog.tokens import new_token

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "segment-destinations.json"

STAFF_PASSWORD = "demo-staff-password"
ADMIN_PASSWORD = "demo-admin-password"
PARTNER_PASSWORD = "demo-partner-password"
BETA_CUSTOMER_EMAIL = "beta-customer@example.com"


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    role: str
    full_name: str
    partner: str | None = None
    partner_role: str = User.PartnerRole.OWNER


@dataclass(frozen=True)
class DemoPartner:
    name: str
    website: str
    support_email: str


@dataclass(frozen=True)
class DemoIntegration:
    source_slug: str  # the record in segment-destinations.json
    partner: str
    stage: str
    # How far its work has got beyond what its stage needs: "ready" (the next gate holds) or
    # "waiting" (one item of the next gate is missing, so staff promotion is refused).
    state: str


PARTNERS = [
    DemoPartner("Northwind Data", "https://northwind.example.com", "support@northwind.example.com"),
    DemoPartner("Contoso Growth", "https://contoso.example.com", "help@contoso.example.com"),
]

USERS = [
    DemoUser("staff@example.com", STAFF_PASSWORD, "staff", "Sam Staff"),
    DemoUser("admin@example.com", ADMIN_PASSWORD, "admin", "Ada Admin"),
    DemoUser(
        "owner@northwind.example.com", PARTNER_PASSWORD, "partner", "Nora North", "Northwind Data"
    ),
    DemoUser(
        "member@northwind.example.com",
        PARTNER_PASSWORD,
        "partner_member",
        "Max Member",
        "Northwind Data",
        User.PartnerRole.MEMBER,
    ),
    DemoUser(
        "owner@contoso.example.com", PARTNER_PASSWORD, "partner", "Cora Contoso", "Contoso Growth"
    ),
]

INTEGRATIONS = [
    DemoIntegration("actions-equals", "Northwind Data", Stage.SIGNUP, "ready"),
    DemoIntegration("actions-absmartly", "Northwind Data", Stage.SPEC, "ready"),
    DemoIntegration("drip-actions", "Northwind Data", Stage.BUILD, "waiting"),
    DemoIntegration("actions-survicate", "Northwind Data", Stage.PRIVATE_BETA, "waiting"),
    DemoIntegration("actions-ortto", "Northwind Data", Stage.PUBLIC, "ready"),
    DemoIntegration("actions-koala", "Contoso Growth", Stage.SIGNUP, "ready"),
    DemoIntegration("actions-gameball", "Contoso Growth", Stage.SPEC, "waiting"),
]

# The integration whose beta link is printed.
BETA_SOURCE = "actions-survicate"


def _key(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title) or ["action"]
    key = words[0].lower() + "".join(w.capitalize() for w in words[1:])
    return key if key[0].isalpha() else f"a{key}"


def spec_definition(record: dict, slug: str) -> dict:
    """A plausible plan shaped like an action-destinations definition, from the catalog record."""
    actions = []
    for title in record.get("actions") or ["Send Event"]:
        identify = "identif" in title.lower()
        fields = [
            {
                "key": "userId",
                "label": "User ID",
                "description": "The user's identifier in your system.",
                "type": "string",
                "required": False,
                "default": "$.userId",
            },
            {
                "key": "email",
                "label": "Email",
                "description": "The user's email address.",
                "type": "string",
                "required": False,
                "default": "$.traits.email" if identify else "$.properties.email",
            },
        ]
        if not identify:
            fields.insert(
                0,
                {
                    "key": "eventName",
                    "label": "Event name",
                    "description": "The name of the event.",
                    "type": "string",
                    "required": True,
                    "default": "$.event",
                },
            )
        actions.append(
            {
                "key": _key(title),
                "title": title,
                "description": f"{title} in {record['name']}.",
                "defaultSubscription": 'type = "identify"' if identify else 'type = "track"',
                "fields": fields,
            }
        )
    mode = (record.get("action_destinations") or {}).get("mode", "cloud")
    return {
        "name": record["name"],
        "slug": slug,
        "description": record.get("description") or "",
        "mode": mode if mode in ("cloud", "device") else "cloud",
        "authentication": {"scheme": "custom"},
        "settings": [
            {
                "key": "apiKey",
                "label": "API key",
                "description": f"Your {record['name']} API key, from your account settings.",
                "type": "password",
                "required": True,
                "default": None,
                "choices": [],
            }
        ],
        "actions": actions,
        "presets": [
            {
                "name": action["title"],
                "partnerAction": action["key"],
                "subscribe": action["defaultSubscription"],
            }
            for action in actions
        ],
    }


def logo_svg(name: str) -> bytes:
    """A horizontal lockup: a mark and the name as text."""
    width = 70 + 13 * len(name)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 48" '
        f'width="{width}" height="48"><title>{escape(name)}</title>'
        '<circle cx="24" cy="24" r="18" fill="#3b3bd6"/>'
        f'<text x="52" y="32" font-family="sans-serif" font-size="22" fill="#1f2933">'
        f"{escape(name)}</text></svg>"
    ).encode()


def mark_svg() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
        b'<rect x="4" y="4" width="56" height="56" rx="12" fill="#3b3bd6"/>'
        b'<path d="M18 44 L32 18 L46 44 Z" fill="#ffffff"/></svg>'
    )


class Command(BaseCommand):
    help = (
        "Create demo users, partners and integrations in every stage; print logins and a beta link."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object instead of text."
        )

    def handle(self, *args, **options):
        records = {r["slug"]: r for r in json.loads(DATA_FILE.read_text())["destinations"]}
        with transaction.atomic():
            self.now = timezone.now()
            staff_group = ensure_staff_group()
            partners = {p.name: self._partner(p) for p in PARTNERS}
            users = {u.email: self._user(u, partners, staff_group) for u in USERS}
            self.staff = users["staff@example.com"]
            owners = {
                p.name: users[next(u.email for u in USERS if u.partner == p.name)] for p in PARTNERS
            }
            support = {p.name: p.support_email for p in PARTNERS}
            integrations = [
                self._integration(
                    spec,
                    records[spec.source_slug],
                    partners[spec.partner],
                    owners[spec.partner],
                    support[spec.partner],
                )
                for spec in INTEGRATIONS
            ]
            beta_source = integrations[[d.source_slug for d in INTEGRATIONS].index(BETA_SOURCE)]
            beta_links = [self._beta_link(beta_source)]
        stage_of = dict(
            Integration.objects.filter(pk__in=[i.pk for i in integrations]).values_list(
                "slug", "stage"
            )
        )
        result = {
            "users": [self._user_row(u, users[u.email]) for u in USERS],
            "integrations": [{"slug": i.slug, "stage": stage_of[i.slug]} for i in integrations],
            "beta_links": beta_links,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self._print(result)

    # --- People ---------------------------------------------------------------------------------

    def _partner(self, demo: DemoPartner) -> Partner:
        partner, _ = Partner.objects.get_or_create(
            name=demo.name,
            defaults={"website": demo.website, "created_at": self.now - timedelta(days=60)},
        )
        return partner

    def _user(self, demo: DemoUser, partners: dict, staff_group) -> User:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User(
                email=demo.email,
                full_name=demo.full_name,
                email_confirmed_at=self.now,
                date_joined=self.now - timedelta(days=60),
            )
            if demo.role == "admin":
                user.is_staff = user.is_superuser = True
            elif demo.role == "staff":
                user.is_staff = True
            else:
                user.partner = partners[demo.partner]
                user.partner_role = demo.partner_role
            user.set_password(demo.password)
            user.save()
            if demo.partner:
                self._accept_agreements(user)
        if demo.role in ("staff", "admin") and not user.groups.filter(pk=staff_group.pk).exists():
            user.groups.add(staff_group)
        if user.is_staff:
            self._demo_totp(user)
        return user

    @staticmethod
    def _user_row(demo: DemoUser, user: User) -> dict:
        row = {"email": demo.email, "password": demo.password, "role": demo.role}
        if user.is_staff:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                row["totp_secret"] = b32encode(device.bin_key).decode()
        return row

    @staticmethod
    def _demo_totp(user: User) -> None:
        """Staff need a second factor: a fixed, printed TOTP key (demo only), derived from the
        address so a second run prints the same one. A device set up by hand is left alone."""
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return
        key = hashlib.sha256(f"portal-demo-totp:{user.email}".encode()).hexdigest()[:40]
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key, confirmed=True)

    def _accept_agreements(self, user: User) -> None:
        for version in stages.current_agreements().values():
            if not AgreementAcceptance.objects.filter(
                partner=user.partner, agreement=version
            ).exists():
                AgreementAcceptance.objects.create(
                    user=user,
                    partner=user.partner,
                    agreement=version,
                    accepted_at=self.now - timedelta(days=60),
                    ip_address="127.0.0.1",
                )
                self._audit(
                    Action.AGREEMENT_ACCEPTED,
                    actor=user,
                    partner=user.partner,
                    target=version,
                    new_value={"kind": version.kind, "version": version.version},
                    days_ago=60,
                )

    def _audit(self, action, *, days_ago: float, **kwargs) -> AuditLog:
        entry = audit_record(action=action, **kwargs)
        entry.created_at = self.now - timedelta(days=days_ago)
        entry.save(update_fields=["created_at"], _allow_update=True)
        return entry

    # --- Integrations ---------------------------------------------------------------------------

    def _integration(self, demo, record, partner, owner, support_email) -> Integration:
        slug, name = record["slug"], record["name"].strip()
        demo_slug, demo_name = f"{slug}-demo", f"{name} (demo)"
        existing = Integration.objects.filter(partner=partner, slug__in=[slug, demo_slug]).first()
        if existing is not None:
            return existing
        if Integration.objects.filter(Q(slug=slug) | Q(name__iexact=name)).exists():
            # The real entry is already there (imported by import_catalog): the demo gets its own.
            slug, name = demo_slug, demo_name
        target = stages.ORDER.index(demo.stage)
        # Each stage took ten days; the current one started 10 × (steps left) days ago.
        started = self.now - timedelta(days=10 * (target + 1) + 5)
        mode = (record.get("action_destinations") or {}).get("mode", "cloud")
        integration = Integration.objects.create(
            partner=partner,
            name=name,
            slug=slug,
            mode=mode if mode in ("cloud", "device") else "cloud",
            created_at=started,
            stage_changed_at=started,
        )
        self._audit(
            Action.INTEGRATION_REGISTERED,
            actor=owner,
            integration=integration,
            target=integration,
            new_value={"name": integration.name, "slug": slug, "mode": integration.mode},
            days_ago=(self.now - started).days,
        )
        # Build what each gate up to the current stage needs, and, when "ready", the next one.
        reach = target + (1 if demo.state == "ready" else 0)
        spec = metadata = None
        if reach >= stages.ORDER.index(Stage.BUILD) or demo.stage == Stage.SPEC:
            spec = self._spec(
                integration, record, owner, approved=reach >= stages.ORDER.index(Stage.BUILD)
            )
        if demo.stage == Stage.BUILD or reach >= stages.ORDER.index(Stage.PRIVATE_BETA):
            approved = reach >= stages.ORDER.index(Stage.PRIVATE_BETA)
            code_pr = self._pull_requests(integration, owner)
            metadata = self._metadata(
                integration, record, owner, support_email, code_pr.url, approved=approved
            )
        if reach >= stages.ORDER.index(Stage.PUBLIC):
            self._verification(integration, days_ago=8)
        for step in range(1, target + 1):
            old, new = stages.ORDER[step - 1], stages.ORDER[step]
            days_ago = 10 * (target - step + 1) + 5 - 10
            self._audit(
                Action.INTEGRATION_PROMOTED,
                actor=self.staff,
                integration=integration,
                target=integration,
                old_value={"stage": old},
                new_value={"stage": new},
                note="Demo data.",
                days_ago=max(days_ago, 1),
            )
        integration.stage = demo.stage
        integration.stage_changed_at = self.now - timedelta(days=5) if target else started
        fields = ["stage", "stage_changed_at"]
        if integration.is_live:
            integration.live_spec = spec
            fields.append("live_spec")
        if metadata is not None and metadata.status == ReviewStatus.APPROVED:
            # The catalog and beta pages show the approved revision; the gate checks that one.
            integration.live_metadata = metadata
            fields.append("live_metadata")
        if demo.stage == Stage.PUBLIC:
            integration.public_since = integration.stage_changed_at
            fields.append("public_since")
        integration.save(update_fields=fields)
        return integration

    def _spec(self, integration, record, owner, *, approved: bool) -> SpecRevision:
        revision = SpecRevision.objects.create(
            integration=integration,
            number=1,
            status=ReviewStatus.APPROVED if approved else ReviewStatus.SUBMITTED,
            definition=spec_definition(record, integration.slug),
            created_by=owner,
            submitted_at=self.now - timedelta(days=20),
            reviewed_by=self.staff if approved else None,
            reviewed_at=self.now - timedelta(days=18) if approved else None,
            review_comment="Looks good." if approved else "",
        )
        self._audit(
            Action.SPEC_APPROVED if approved else Action.SPEC_SUBMITTED,
            actor=self.staff if approved else owner,
            integration=integration,
            target=revision,
            new_value={"number": 1, "status": revision.status},
            days_ago=18 if approved else 20,
        )
        return revision

    def _pull_requests(self, integration, owner) -> PullRequest:
        number = 1000 + integration.pk
        code = PullRequest.objects.create(
            integration=integration,
            kind=PullRequest.Kind.CODE,
            url=f"{settings.DESTINATIONS_REPOSITORY}/pull/{number}",
            description=f"Add the {integration.name} destination.",
            unit_tests_added=True,
            tested_end_to_end=True,
            state=PullRequest.State.MERGED,
            approved_at=self.now - timedelta(days=12),
            merged_at=self.now - timedelta(days=11),
            state_changed_at=self.now - timedelta(days=11),
            deploy_date=(self.now - timedelta(days=9)).date(),
            deployed_at=self.now - timedelta(days=9),
            created_by=owner,
        )
        PullRequest.objects.create(
            integration=integration,
            kind=PullRequest.Kind.DOCS,
            url=f"{settings.DOCS_REPOSITORY}/pull/{number + 5000}",
            description=f"Document the {integration.name} destination.",
            created_by=owner,
        )
        self._audit(
            Action.PULL_REQUEST_STATE_CHANGED,
            actor=self.staff,
            integration=integration,
            target=code,
            old_value={"state": PullRequest.State.APPROVED},
            new_value={"state": PullRequest.State.MERGED},
            days_ago=11,
        )
        return code

    def _metadata(self, integration, record, owner, support_email, pr_url, *, approved: bool):
        categories = {c.name: c for c in Category.objects.all()}
        chosen = [categories[c] for c in record.get("categories") or [] if c in categories][:2]
        description = record.get("description") or f"Send Segment events to {record['name']}."
        revision = MetadataRevision(
            integration=integration,
            number=1,
            status=ReviewStatus.APPROVED if approved else ReviewStatus.SUBMITTED,
            name=integration.name,
            pr_url=pr_url,
            description=description,
            description_html=f"<p>{html_escape(description)}</p>",
            website=record.get("website") or "",
            primary_category=chosen[0] if chosen else None,
            secondary_category=chosen[1] if len(chosen) > 1 else None,
            support_email=support_email,
            asset_report={"ok": True, "logo": {"errors": []}, "mark": {"errors": []}},
            created_by=owner,
            submitted_at=self.now - timedelta(days=14),
            reviewed_by=self.staff if approved else None,
            reviewed_at=self.now - timedelta(days=13) if approved else None,
        )
        revision.logo.save("logo.svg", ContentFile(logo_svg(integration.name)), save=False)
        revision.mark.save("mark.svg", ContentFile(mark_svg()), save=False)
        revision.save()
        self._audit(
            Action.METADATA_APPROVED if approved else Action.METADATA_SUBMITTED,
            actor=self.staff if approved else owner,
            integration=integration,
            target=revision,
            new_value={"number": 1, "status": revision.status},
            days_ago=13 if approved else 14,
        )
        return revision

    def _verification(self, integration, *, days_ago: int) -> None:
        _, token_hash = new_token()
        link = BetaLink.objects.create(
            integration=integration,
            email="first-customer@example.com",
            workspace_name="first-customer",
            token_hash=token_hash,
            created_by=self.staff,
            created_at=self.now - timedelta(days=days_ago + 2),
            expires_at=self.now + timedelta(days=settings.BETA_LINK_DEFAULT_DAYS),
            open_count=1,
            first_opened_at=self.now - timedelta(days=days_ago),
            last_opened_at=self.now - timedelta(days=days_ago),
        )
        verification = CustomerVerification.objects.create(
            integration=integration,
            beta_link=link,
            workspace_name="first-customer",
            note="Events arrive in our workspace as expected.",
            created_at=self.now - timedelta(days=days_ago),
        )
        self._audit(
            Action.CUSTOMER_VERIFIED,
            integration=integration,
            target=verification,
            new_value={"workspace_name": verification.workspace_name},
            days_ago=days_ago,
        )

    def _beta_link(self, integration: Integration) -> dict:
        token, token_hash = new_token()
        link = BetaLink.objects.create(
            integration=integration,
            email=BETA_CUSTOMER_EMAIL,
            token_hash=token_hash,
            created_by=self.staff,
            expires_at=self.now + timedelta(days=settings.BETA_LINK_DEFAULT_DAYS),
        )
        audit_record(
            action=Action.BETA_LINK_ISSUED,
            actor=self.staff,
            integration=integration,
            target=link,
            new_value={"email": link.email, "expires_at": link.expires_at.isoformat()},
            note="Issued by seed_demo.",
        )
        return {
            "url": f"{settings.SITE_URL}/beta/{token}/",
            "slug": integration.slug,
            "stage": integration.stage,
            "email": link.email,
            "expires_at": link.expires_at.isoformat(),
        }

    # --- Output ---------------------------------------------------------------------------------

    def _print(self, result: dict) -> None:
        out = self.stdout.write
        out(self.style.SUCCESS("Demo data is ready (local demo only: these passwords are public)."))
        out(f"\nLog in at {settings.SITE_URL}/accounts/login/")
        for user in result["users"]:
            secret = f"  TOTP key {user['totp_secret']}" if user.get("totp_secret") else ""
            out(f"  {user['role']:<15} {user['email']:<32} {user['password']}{secret}")
        out("\nIntegrations:")
        for integration in result["integrations"]:
            out(f"  {integration['stage']:<13} {integration['slug']}")
        out("\nPrivate-beta link (a fresh one each run):")
        for link in result["beta_links"]:
            out(f"  {link['url']}  ({link['slug']}, for {link['email']})")
