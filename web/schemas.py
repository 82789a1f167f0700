"""Request and response bodies of the JSON API. Inputs refuse unknown fields."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DIGITS = r"^[0-9]{2,16}$"
CODE = r"^[a-z][a-z0-9_]{0,31}$"
CALL_ID = r"^[A-Za-z0-9._:-]{1,64}$"


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    user_id: int
    username: str
    display_name: str
    role: str
    department_id: str = ""
    site_id: str = ""
    agent_id: str = ""


class LoginOut(BaseModel):
    token: str
    csrf_token: str
    user: UserOut


class ExtensionIn(In):
    extension: str | None = Field(default=None, pattern=DIGITS)


class PauseIn(In):
    reason: str = Field(pattern=CODE)


class CallIn(In):
    call_id: str = Field(pattern=CALL_ID)


class TransferIn(In):
    call_id: str = Field(pattern=CALL_ID)
    kind: Literal["expert", "three_way", "police"]
    target: str | None = Field(default=None, pattern=DIGITS)


class SpyIn(In):
    mode: Literal["listen", "whisper"]
    extension: str = Field(pattern=DIGITS)


class CaseIn(In):
    request_type: str = Field(pattern=CODE)
    category: str = Field(pattern=CODE)
    content: str = Field(min_length=1, max_length=5000)
    title: str = Field(default="", max_length=200)
    site_id: str = Field(pattern=CODE)
    district: str = Field(default="", max_length=64)
    address: str = Field(default="", max_length=200)
    urgency: Literal["normal", "urgent", "very_urgent"] = "normal"
    call_id: str | None = Field(default=None, pattern=CALL_ID)
    then: Literal["none", "resolve", "dispatch"] = "none"
    department_id: str | None = Field(default=None, pattern=CODE)
    note: str = Field(default="", max_length=2000)
    confidential: bool = False
    kb_article_id: int | None = Field(default=None, ge=1, le=2**31 - 1)  # answered from it


class ResolveIn(In):
    note: str = Field(default="", max_length=2000)
    kb_article_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class DispatchIn(In):
    department_id: str = Field(pattern=CODE)
    note: str = Field(default="", max_length=2000)


class NewUserIn(In):
    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{2,64}$")
    password: str = Field(min_length=8, max_length=256)
    role: Literal["agent", "supervisor", "department", "admin"]
    display_name: str = Field(default="", max_length=64)
    department_id: str | None = Field(default=None, pattern=CODE)
    site_id: str | None = Field(default=None, pattern=CODE)
    extension: str | None = Field(default=None, pattern=DIGITS)
    skills: dict[str, int] = Field(default_factory=dict, max_length=32)


class Message(BaseModel):
    ok: bool = True
    message: str = ""
