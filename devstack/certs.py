"""Certificates for the compose stack's Temporal frontend, which takes only clients that
show one (mutual TLS).

`python -m devstack certs DIR` writes a private certificate authority's certificate
(`ca.pem`), the server's pair (`server.pem`, `server.key`: its host names, for the
frontend and for the server's own calls between its services) and one client pair
(`client.pem`, `client.key`) that the worker, the doors, the UI and the admin tools
present. The authority's key is used once and never written, so nothing that reads the
volume can issue another client; rotating means a new directory and a restart. Existing
files are kept, so the compose one-shot that calls it is idempotent.
"""

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FOR = datetime.timedelta(days=825)
"""The longest leaf lifetime clients commonly accept; a stack older than that reissues."""

FILES = ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")


@dataclass(frozen=True)
class Issued:
    directory: Path
    created: bool


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Flowdesk stack"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _alt_names(hosts: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _leaf(
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    common_name: str,
    usages: list[x509.ObjectIdentifier],
    hosts: list[str],
    now: datetime.datetime,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    )
    if hosts:
        builder = builder.add_extension(x509.SubjectAlternativeName(_alt_names(hosts)), False)
    return builder.sign(ca_key, hashes.SHA256()), key


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def issue(directory: Path, server_hosts: list[str]) -> Issued:
    """Writes the five files unless all of them are there already. The server's
    certificate also serves as a client one: Temporal's services call each other with it."""
    if all((directory / name).is_file() for name in FILES):
        return Issued(directory, created=False)
    if not server_hosts:
        raise ValueError("the server certificate needs at least one host name")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Flowdesk stack CA"))
        .issuer_name(_name("Flowdesk stack CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    both = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    server, server_key = _leaf(ca, ca_key, server_hosts[0], both, server_hosts, now)
    client, client_key = _leaf(
        ca, ca_key, "flowdesk-client", [ExtendedKeyUsageOID.CLIENT_AUTH], [], now
    )
    directory.mkdir(parents=True, exist_ok=True)
    contents = {
        "ca.pem": _pem(ca),
        "server.pem": _pem(server),
        "server.key": _key_pem(server_key),
        "client.pem": _pem(client),
        "client.key": _key_pem(client_key),
    }
    for name, content in contents.items():
        # Readable by the other containers' users (Temporal's images run as their own):
        # the volume is mounted only into this stack's services.
        path = directory / name
        path.write_bytes(content)
        path.chmod(0o644)
    return Issued(directory, created=True)
