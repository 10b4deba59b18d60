"""The Flask extensions, created unbound so any module can import them without the app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from consult.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
# Limits are declared where they apply; storage comes from RATELIMIT_STORAGE_URI, so every
# instance behind a load balancer counts against the same Redis.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
