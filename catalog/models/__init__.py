from .accounts import AgreementAcceptance, AgreementVersion, Partner, User
from .api import ApiToken
from .audit import AuditLog
from .beta import BetaLink, BetaOpenFold, CustomerVerification
from .integrations import Category, DestinationMode, Integration, ListingStatus, Stage
from .metadata import MetadataImage, MetadataRevision
from .outbox import OutboxMessage
from .spec import ChangeRequest, FreezeDate, Holiday, PullRequest, ReviewStatus, SpecRevision
from .storage import StorageAuditRun, StorageProblem

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
    "User",
]
