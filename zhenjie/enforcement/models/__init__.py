"""The enforcement team's records. One module per part: the case (case.py), the officers'
certificates (officers.py), the evidence (evidence.py); further parts (review, decision,
publicity, transfers, joint operations, discretion benchmarks) add their own module and import
it here."""

from .case import EnforcementCase, Procedure, Source  # noqa: F401
from .evidence import Evidence, EvidenceKind  # noqa: F401
from .officers import Certificate  # noqa: F401
from .decision import CollectiveMeeting, DiscretionBenchmark, LegalReview, PenaltyDecision  # noqa: F401
from .hearing import Hearing, HearingOutcome, HearingThreshold, PenaltyNotice, Statement, StatementChannel  # noqa: F401
from .penalties import PenaltyKind  # noqa: F401
from .execution import ClosingOutcome, Closure, CourtApplication, CourtResult, Payment, PaymentPlan, Reminder, Service, ServiceConsent, ServiceMethod  # noqa: F401
from .policy import EnforcementPolicy  # noqa: F401
from .publicity import Publication  # noqa: F401
from .joint import JointOperation, OperationStatus, Participant  # noqa: F401
from .transfers import Answer, Direction, Transfer  # noqa: F401
