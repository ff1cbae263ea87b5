from .accounts import AgreementAcceptance, AgreementVersion, Partner, User
from .api import ApiToken
from .audit import AuditLog
from .beta import BetaLink, BetaOpenFold, CustomerVerification
from .integrations import Category, DestinationMode, Integration, Lifecycle, ListingStatus, Stage
from .metadata import MetadataImage, MetadataRevision
from .outbox import OutboxMessage
from .spec import ChangeRequest, FreezeDate, Holiday, PullRequest, ReviewStatus, SpecRevision
from .storage import StorageAuditRun, StorageProblem
from .team import TeamInvite

__all__ = [
    "AgreementAcceptance",
    "AgreementVersion",
    "ApiToken",
    "AuditLog",
    "BetaLink",
    "BetaOpenFold",
    "Category",
    "ChangeRequest",
    "CustomerVerification",
    "DestinationMode",
    "FreezeDate",
    "Holiday",
    "Integration",
    "Lifecycle",
    "ListingStatus",
    "MetadataImage",
    "MetadataRevision",
    "OutboxMessage",
    "Partner",
    "PullRequest",
    "ReviewStatus",
    "SpecRevision",
    "Stage",
    "StorageAuditRun",
    "StorageProblem",
    "TeamInvite",
    "User",
]
