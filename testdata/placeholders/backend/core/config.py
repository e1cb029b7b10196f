"""Settings read from the environment; no secret has a literal default."""
import os
from typing import Optional

from pydantic import Field
from pydantic_settings import BaseSettings

JWT_SECRET_KEY = os.environ["JWT_SECRET_KEY"]  # hard-fails if absent
DATABASE_URL = os.getenv("DATABASE_URL", "")
REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379/0")


class Settings(BaseSettings):
    zep_api_key: Optional[str] = Field(None, alias="ZEP_API_KEY")
    azure_ai_key: Optional[str] = Field(None, alias="AZURE_AI_KEY")
    postgres_password: Optional[str] = Field(None, alias="POSTGRES_PASSWORD")
    anthropic_api_key: Optional[str] = Field(None, alias="ANTHROPIC_API_KEY")
