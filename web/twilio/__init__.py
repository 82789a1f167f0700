"""Twilio voice and SMS webhooks: the voice menu as TwiML, callers in our Redis queue."""
