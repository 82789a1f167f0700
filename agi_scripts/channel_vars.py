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
# The server is stopping (drain): the waiting caller is handed back, and the dialplan runs the
# `resume` script on the next server of HOTLINE_AGI (or this one, restarted).
NEXT_RESUME = "resume"

# Dialplan globals ([globals] / hotline_globals.conf) the resume loop reads.
AGI_SERVERS = "HOTLINE_AGI"              # FastAGI URLs, comma-separated, tried in order
AGI_RESUME_SECONDS = "HOTLINE_AGI_RESUME_SECONDS"  # how long a waiting caller is retried
RESUME_ROUTE = "resume"                  # the script that picks a waiting caller up again

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

# Added by the voice path (agi_scripts/flow.py, asterisk_conf/extensions.conf).
NEXT_SURVEY = "survey"        # reserved: after_dial runs the survey itself in this version
STATE = "HOTLINE_STATE"       # the menu state and call times between AGI sessions (ours only)
RECORDED = "HOTLINE_RECORDED"  # "1" once the call's CRM row is written; the h extension checks it
RECORDED_VALUE = "1"
ANSWEREDTIME = "ANSWEREDTIME"  # set by Dial(): seconds the bridged call lasted
DIALEDTIME = "DIALEDTIME"
# The emergency number key 9 dials (menu.toml emergency_target, e.g. 110). The dialplan dials
# ${HOTLINE_EMERGENCY_TARGET} when that is set (a full dial string, e.g. in tests), else
# goes to [hotline-emergency] with this number as the extension.
EMERGENCY_NUMBER = "HOTLINE_EMERGENCY_NUMBER"
ACCEPTED = "HOTLINE_ACCEPTED"  # set by the `answered` script on the agent's leg: "1" or "0"
# Set by the `answered` script on the CALLER's channel (through MASTER_CHANNEL()) when the
# agent picks up: epoch seconds. Dial's ANSWEREDTIME cannot tell this: it counts from the
# caller's own Answer(), which our dialplan does before the menu.
ANSWERED_AT = "HOTLINE_ANSWERED_AT"
# The dialled number (12345, 12333, ...), kept for scripts run in the h extension, where
# agi_extension is "h" and agi_dnid may be "unknown" (Local and originated channels).
DNID = "HOTLINE_DNID"
