"""The contract between asterisk_conf/extensions.conf and the AGI scripts.

Every channel variable either side sets or reads is named here, and the dialplan uses the
same names. Never rename one without changing the dialplan in the same commit.
"""

from __future__ import annotations

# Set by the script as its very last command. The dialplan falls back to the app_queue
# queue when AGISTATUS is not SUCCESS *or* this flag is missing (a crashed script still
# yields SUCCESS).
DONE = "HOTLINE_DONE"
DONE_VALUE = "1"

# What the dialplan does after the script returns; one of the NEXT_* values below.
NEXT = "HOTLINE_NEXT"
NEXT_DIAL = "dial"          # Dial(${HOTLINE_DIAL},${HOTLINE_DIAL_TIMEOUT})
NEXT_EMERGENCY = "emergency"  # Dial the 110 trunk: ${HOTLINE_EMERGENCY_TARGET}
NEXT_HANGUP = "hangup"
NEXT_FALLBACK = "fallback"  # the script gave up deliberately: app_queue fallback

DIAL = "HOTLINE_DIAL"                  # e.g. PJSIP/8001
DIAL_TIMEOUT = "HOTLINE_DIAL_TIMEOUT"  # seconds, from the queue's offer timeout
AGENT = "HOTLINE_AGENT"                # the agent id offered the call
EMERGENCY_TARGET = "HOTLINE_EMERGENCY_TARGET"
LINE = "HOTLINE_LINE"                  # the service line the caller waits on
CALL_ID = "HOTLINE_CALL_ID"            # our id of the call (the first leg's uniqueid)
CALLBACK_FOR = "HOTLINE_CALLBACK_FOR"  # on AMI-originated callbacks: the waiting entry's id

# Read by the after-dial script: Asterisk's own result of Dial().
DIALSTATUS = "DIALSTATUS"
AGISTATUS = "AGISTATUS"
