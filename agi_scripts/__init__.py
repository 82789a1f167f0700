"""The FastAGI server: Asterisk's adapter that runs the voice menu, the queue wait and the survey."""
