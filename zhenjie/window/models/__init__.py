"""The service window's records. One module per part: the application and its materials
(application.py); further parts (hall, agent points, notices, decisions) add their own module
and import it here."""

from .application import Application, ApplicationMaterial, Channel, Decision, DeliveryMethod, MaterialStatus  # noqa: F401
from .notice import Notice, NoticeItem  # noqa: F401
from .intake import MaterialScan  # noqa: F401
