"""Throw-away TLS material for the secured-broker test, made with ``keytool`` (ships with the
Java 17 that Kafka needs, so no extra tool or Python package): a CA, a broker key pair whose
certificate the CA signs for 127.0.0.1/localhost, PKCS12 key and trust stores for Kafka, and
the CA as PEM for Python clients."""

from __future__ import annotations

import secrets
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TlsFiles:
    ca_pem: Path
    keystore: Path
    truststore: Path
    password: str = field(repr=False)
    other_ca_pem: Path | None = None  # a CA that did not sign the broker (for the wrong-CA check)


def make_tls(directory: Path) -> TlsFiles:
    keytool = shutil.which("keytool")
    if keytool is None:
        raise RuntimeError("keytool (from Java 17) is not on PATH; the secured-broker test needs it")
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*"):  # keytool would add to (and fail on) stores of an earlier run
        if old.suffix in (".p12", ".pem", ".csr"):
            old.unlink()
    password = secrets.token_hex(12)

    fast_jvm = ["-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"]

    def run(*args: str) -> None:
        proc = subprocess.run([keytool, *fast_jvm, *args], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"keytool {args[0]} failed: {proc.stdout}{proc.stderr}".replace(password, "***"))

    def parallel(*calls: tuple[str, ...]) -> None:
        with ThreadPoolExecutor(len(calls)) as pool:
            for future in [pool.submit(run, *call) for call in calls]:
                future.result()

    store = ["-storetype", "PKCS12", "-storepass", password, "-keypass", password]
    ca, other, broker = directory / "ca.p12", directory / "other-ca.p12", directory / "broker.p12"
    ec = ("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2")
    parallel(
        ("-genkeypair", "-alias", "ca", *ec, "-dname", "CN=news-streams test CA", "-ext", "bc:c",
         "-keystore", str(ca), *store),
        ("-genkeypair", "-alias", "ca", *ec, "-dname", "CN=some other CA", "-ext", "bc:c",
         "-keystore", str(other), *store),
        ("-genkeypair", "-alias", "broker", *ec, "-dname", "CN=localhost", "-keystore", str(broker), *store),
    )
    parallel(
        ("-exportcert", "-rfc", "-alias", "ca", "-keystore", str(ca), "-storepass", password,
         "-file", str(directory / "ca.pem")),
        ("-exportcert", "-rfc", "-alias", "ca", "-keystore", str(other), "-storepass", password,
         "-file", str(directory / "other-ca.pem")),
        ("-certreq", "-alias", "broker", "-keystore", str(broker), "-storepass", password,
         "-file", str(directory / "broker.csr")),
    )
    trust = directory / "trust.p12"
    parallel(
        ("-gencert", "-rfc", "-alias", "ca", "-keystore", str(ca), "-storepass", password, "-validity", "2",
         "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-infile", str(directory / "broker.csr"),
         "-outfile", str(directory / "broker.pem")),
        ("-importcert", "-noprompt", "-alias", "ca", "-file", str(directory / "ca.pem"),
         "-keystore", str(broker), "-storepass", password),
        ("-importcert", "-noprompt", "-alias", "ca", "-file", str(directory / "ca.pem"),
         "-keystore", str(trust), "-storetype", "PKCS12", "-storepass", password),
    )
    run("-importcert", "-noprompt", "-alias", "broker", "-file", str(directory / "broker.pem"),
        "-keystore", str(broker), "-storepass", password)
    return TlsFiles(directory / "ca.pem", broker, trust, password, directory / "other-ca.pem")
