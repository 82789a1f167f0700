"""A self-signed TLS certificate for Asterisk's wss:// in development, when the web is
reachable from other machines and the operator configured no certificate of their own.

Made with the ``cryptography`` package when installed, else with the openssl command line.
Browsers do not trust it: open https://<host>:<HOTLINE_SIP_WSS_PORT>/ once and accept it.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import socket
import subprocess
from pathlib import Path

from hotline.asterisk_root import AsteriskEnvError

VALID_DAYS = 825  # the longest validity browsers accept for a server certificate
KEY_BITS = 2048
TLS_SUBDIR = "tls"
_SLUG_RE = re.compile(r"[^A-Za-z0-9.-]")


def cert_paths(var_dir: Path, host: str) -> tuple[Path, Path]:
    """Where the self-signed certificate and key for ``host`` live under the var dir."""
    slug = _SLUG_RE.sub("_", host) or "any"
    folder = var_dir.resolve() / TLS_SUBDIR
    return folder / f"selfsigned-{slug}.crt", folder / f"selfsigned-{slug}.key"


def subject_names(host: str) -> tuple[str, list[str]]:
    """(common name, subjectAltName entries) for ``host``; a wildcard bind names this machine."""
    names = [f"DNS:{socket.gethostname()}", "DNS:localhost", "IP:127.0.0.1"]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return (host or socket.gethostname()), ([f"DNS:{host}"] if host else []) + names
    if ip.is_unspecified:
        return socket.gethostname(), names
    return host, [f"IP:{host}", *names]


def ensure_self_signed(var_dir: Path, host: str) -> tuple[Path, Path]:
    """The certificate and key for ``host`` (made once, then reused); (cert, key)."""
    cert, key = cert_paths(var_dir, host)
    if cert.is_file() and key.is_file():
        return cert, key
    cert.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    common, alt = subject_names(host)
    try:
        _with_cryptography(cert, key, common, alt)
    except ImportError:
        _with_openssl(cert, key, common, alt)
    key.chmod(0o600)
    return cert, key


def _with_openssl(cert: Path, key: Path, common: str, alt: list[str]) -> None:
    if shutil.which("openssl") is None:
        raise AsteriskEnvError("asterisk_no_tls", "no certificate for wss://: set HOTLINE_TLS_CERT "
                               "and HOTLINE_TLS_KEY, or install openssl or cryptography")
    cmd = ["openssl", "req", "-x509", "-newkey", f"rsa:{KEY_BITS}", "-nodes", "-sha256",
           "-days", str(VALID_DAYS), "-keyout", str(key), "-out", str(cert),
           "-subj", f"/O=hotline12345 development/CN={common}",
           "-addext", "subjectAltName=" + ",".join(alt)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AsteriskEnvError("asterisk_no_tls", f"openssl failed: {done.stderr[-500:]}")


def _with_cryptography(cert: Path, key: Path, common: str, alt: list[str]) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hotline12345 development"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])
    sans = [x509.IPAddress(ipaddress.ip_address(v[3:])) if v.startswith("IP:")
            else x509.DNSName(v[4:]) for v in alt]
    now = datetime.datetime.now(datetime.timezone.utc)
    built = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
             .public_key(private.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
             .add_extension(x509.SubjectAlternativeName(sans), critical=False)
             .sign(private, hashes.SHA256()))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.TraditionalOpenSSL,
                                          serialization.NoEncryption()))
    cert.write_bytes(built.public_bytes(serialization.Encoding.PEM))
