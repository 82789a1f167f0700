"""AMI adapter over pyst2's Manager, fixing its defects on Python 3.11."""
