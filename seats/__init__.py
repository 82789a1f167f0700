"""SIP seats: one PJSIP endpoint per agent extension, each with its own rotating secret."""
