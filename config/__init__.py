"""Process settings and operator data (TOML under config/), validated on load."""
