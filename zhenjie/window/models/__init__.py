"""The service window's records. One module per part: the application and its materials
(application.py); further parts (hall, agent points, notices, decisions) add their own module
and import it here."""

from .application import Application, ApplicationMaterial, Channel, Decision, DeliveryMethod, MaterialStatus  # noqa: F401
from .backoffice import DecisionRoute, ExcludedPeriod, ExclusionKind, RouteSource, StatutoryClock  # noqa: F401
from .decision import Handover  # noqa: F401
from .joint import Opinion  # noqa: F401
from .policy import WindowPolicy  # noqa: F401
from .agents import AgentPoint, AgentSetting, Direction, DutySlot, PaperTransfer, PointItem, Weekday  # noqa: F401
from .hall import Appointment, AppointmentSlot, AppointmentState, Counter, HolidayDuty, OpeningHours, Priority, ScreenLink, Ticket, TicketState  # noqa: F401
from .notice import Notice, NoticeItem  # noqa: F401
from .intake import MaterialScan  # noqa: F401
