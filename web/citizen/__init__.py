"""The public citizen pages: submit a request and look up its progress."""
