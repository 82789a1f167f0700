"""An offline HTTP client for twilio's REST Client: records requests, answers like Twilio does.

Response bodies follow Twilio's documented resource shapes (Call, Message, and the error
object for a 404), so the library parses them exactly as it would the real API's.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass

from twilio.http import HttpClient
from twilio.http.response import Response

ACCOUNT_SID = "AC" + "1" * 32
CALL_UPDATE = re.compile(r"/2010-04-01/Accounts/(AC\w{32})/Calls/(CA\w+)\.json$")
CALLS = re.compile(r"/2010-04-01/Accounts/(AC\w{32})/Calls\.json$")
MESSAGES = re.compile(r"/2010-04-01/Accounts/(AC\w{32})/Messages\.json$")
DATE = "Fri, 27 Nov 2026 02:00:00 +0000"


@dataclass(frozen=True)
class Recorded:
    method: str
    uri: str
    data: dict
    auth: tuple | None


def call_resource(account: str, sid: str, status: str = "in-progress") -> dict:
    base = f"/2010-04-01/Accounts/{account}/Calls/{sid}"
    return {
        "account_sid": account, "annotation": None, "answered_by": None,
        "api_version": "2010-04-01", "caller_name": None, "date_created": DATE,
        "date_updated": DATE, "direction": "inbound", "duration": None, "end_time": None,
        "forwarded_from": None, "from": "+8613985012345", "from_formatted": "139 8501 2345",
        "group_sid": None, "parent_call_sid": None, "phone_number_sid": "PN" + "2" * 32,
        "price": None, "price_unit": "USD", "queue_time": "0", "sid": sid,
        "start_time": DATE, "status": status, "to": "+12025550100",
        "to_formatted": "(202) 555-0100", "trunk_sid": None, "uri": base + ".json",
        "subresource_uris": {"notifications": base + "/Notifications.json",
                             "recordings": base + "/Recordings.json"},
    }


def message_resource(account: str, sid: str, to: str, from_: str, body: str) -> dict:
    base = f"/2010-04-01/Accounts/{account}/Messages/{sid}"
    return {
        "account_sid": account, "api_version": "2010-04-01", "body": body,
        "date_created": DATE, "date_sent": None, "date_updated": DATE,
        "direction": "outbound-api", "error_code": None, "error_message": None, "from": from_,
        "messaging_service_sid": None, "num_media": "0", "num_segments": "1", "price": None,
        "price_unit": "USD", "sid": sid, "status": "queued", "to": to, "uri": base + ".json",
        "subresource_uris": {"media": base + "/Media.json"},
    }


def not_found(uri: str) -> dict:
    return {"code": 20404, "message": f"The requested resource {uri} was not found",
            "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}


def unavailable() -> dict:
    return {"code": 20503, "message": "Service Unavailable",
            "more_info": "https://www.twilio.com/docs/errors/20503", "status": 503}


class RecordingHttpClient(HttpClient):
    """Records every request; a call in ``ended`` answers 404, in ``unavailable_once`` 503 once;
    creating a call answers 201, or 503 while ``failing_creates`` > 0 (then one fewer)."""

    def __init__(self):
        super().__init__(logger=logging.getLogger("tests.twilio_http"), is_async=False)
        self.requests: list[Recorded] = []
        self.ended: set[str] = set()
        self.unavailable_once: set[str] = set()
        self._lock = threading.Lock()
        self._messages = 0
        self._calls = 0
        self.failing_creates = 0

    def request(self, method, uri, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False) -> Response:
        with self._lock:
            self.requests.append(Recorded(method, uri, dict(data or {}), auth))
            return self._answer(method, uri, dict(data or {}))

    def _answer(self, method: str, uri: str, data: dict) -> Response:
        match = CALL_UPDATE.search(uri)
        if match and method == "POST":
            account, sid = match.groups()
            if sid in self.ended:
                return Response(404, json.dumps(not_found(uri)))
            if sid in self.unavailable_once:
                self.unavailable_once.discard(sid)
                return Response(503, json.dumps(unavailable()))
            return Response(200, json.dumps(call_resource(account, sid)))
        match = CALLS.search(uri)
        if match and method == "POST":
            return self._create_call(match.group(1), data)
        match = MESSAGES.search(uri)
        if match and method == "POST":
            self._messages += 1
            sid = f"SM{self._messages:032d}"
            body = message_resource(match.group(1), sid, data.get("To", ""),
                                    data.get("From", ""), data.get("Body", ""))
            return Response(201, json.dumps(body))
        return Response(404, json.dumps(not_found(uri)))

    def call_updates(self, sid: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests
                    if r.method == "POST" and r.uri.endswith(f"/Calls/{sid}.json")]

    def _create_call(self, account: str, data: dict) -> Response:
        if self.failing_creates > 0:
            self.failing_creates -= 1
            return Response(503, json.dumps(unavailable()))
        self._calls += 1
        sid = f"CA{self._calls:032d}"
        body = {**call_resource(account, sid, status="queued"), "direction": "outbound-api",
                "to": data.get("To", ""), "to_formatted": data.get("To", ""),
                "from": data.get("From", ""), "from_formatted": data.get("From", "")}
        return Response(201, json.dumps(body))

    def call_creates(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and CALLS.search(r.uri)]
