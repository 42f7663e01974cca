"""Signed heads of the chain (adviezen and, since migration 0005, besluiten): a key that the
database does not hold.

The hash chain (`service.store`) shows a changed advies only to someone who cannot write the
database: whoever can, may rewrite a trace, re-hash and re-chain every later row and the head,
and the chain verifies again. So its head is signed with an Ed25519 key that lives in a file or
the environment (`service.settings.KetenInstellingen`), never in the database: at intervals
(every N adviezen, and a head that moved when the last signature is T seconds old) and on
demand. A verifier needs only the public key. It finds:

* a rewrite and re-chain: a signed head no longer equals the chain at its volgnummer;
* a truncation: a signed head lies beyond the end of the chain;
* deleted signatures: an anchor exported earlier (`ot keten anker --uit`) and kept outside the
  system is missing from `keten_ankers`, and is still checked as a prefix of the chain.

What it cannot see (adviezen after the last signed head, a key that leaked) is in docs/keten.md.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import and_, func, inspect, select, true
from sqlalchemy.orm import Session, defer

from engine.evaluate import canonical_json
from service.db import Keten, KetenAnker, now
from service.ketensegmenten import walk_in_segments
from service.store import (
    Controlepunt,
    chain_models,
    chain_names,
    has_ketens,
    hash_at,
)

if TYPE_CHECKING:
    from service.settings import KetenInstellingen

log = logging.getLogger("service")

DOEL = "omgekeerde-toets/keten-anker/v1"
"""Signed with every head, so a signature made for anything else is never a valid anchor."""

ONBEKEND = ("keten niet ondertekend: geen sleutel ingesteld (OT_KETEN_SLEUTEL of "
            "OT_KETEN_PUBLIEKE_SLEUTELS); handtekeningen niet gecontroleerd")


# ── keys ─────────────────────────────────────────────────────────────────────────────────────

def _read(path: Path, bron: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{bron}: {path} is niet te lezen ({type(exc).__name__})") from exc


def load_private_key(pem: bytes, bron: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # the library's message is not repeated: it could quote key material
        raise ValueError(f"{bron}: geen leesbare PEM-privésleutel zonder wachtwoord") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{bron}: geen Ed25519-sleutel ({type(key).__name__})")
    return key


def load_public_keys(pem: bytes, bron: str) -> tuple[Ed25519PublicKey, ...]:
    """Every `PUBLIC KEY` block in the PEM text (old keys stay trusted after a rotation)."""
    blocks = re.findall(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", pem, re.S)
    if not blocks:
        raise ValueError(f"{bron}: geen PEM-publieke sleutel (-----BEGIN PUBLIC KEY-----)")
    keys = []
    for i, block in enumerate(blocks, start=1):
        try:
            key = serialization.load_pem_public_key(block)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise ValueError(f"{bron}: sleutel {i} is niet te lezen") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{bron}: sleutel {i} is geen Ed25519-sleutel")
        keys.append(key)
    return tuple(keys)


def load_keys(cfg: KetenInstellingen) -> tuple[Ed25519PrivateKey | None,
                                               tuple[Ed25519PublicKey, ...]]:
    """Read and check the configured keys once (settings validation calls this at start)."""
    if cfg.sleutel is not None and cfg.sleutel_pem is not None:
        raise ValueError("geef één van OT_KETEN_SLEUTEL en OT_KETEN_SLEUTEL_PEM, niet beide")
    private = None
    if cfg.sleutel is not None:
        private = load_private_key(_read(cfg.sleutel, "OT_KETEN_SLEUTEL"), "OT_KETEN_SLEUTEL")
    elif cfg.sleutel_pem is not None:
        private = load_private_key(cfg.sleutel_pem.get_secret_value().encode(),
                                   "OT_KETEN_SLEUTEL_PEM")
    public: tuple[Ed25519PublicKey, ...] = ()
    if cfg.publieke_sleutels is not None:
        public += load_public_keys(_read(cfg.publieke_sleutels, "OT_KETEN_PUBLIEKE_SLEUTELS"),
                                   "OT_KETEN_PUBLIEKE_SLEUTELS")
    if cfg.publieke_sleutels_pem is not None:
        public += load_public_keys(cfg.publieke_sleutels_pem.encode(),
                                   "OT_KETEN_PUBLIEKE_SLEUTELS_PEM")
    return private, public


def key_id(key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 64 bits of sha256 of its raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def trusted_keys(keys: Iterable[Ed25519PublicKey]) -> dict[str, Ed25519PublicKey]:
    return {key_id(k): k for k in keys}


def message(volgnummer: int, keten_hash: str, tijdstip: str, sleutel_id: str,
            keten: str = "") -> bytes:
    """What is signed: the head, of which chain, when, by which key, for what; in the engine's
    one canonical JSON form (`engine.evaluate.canonical_json`). The chain "" is not named, so
    a head signed before there were chains per gemeente still verifies; a gemeente's is, so
    its signature never passes for another chain's head."""
    fields = {"doel": DOEL, "volgnummer": volgnummer, "keten_hash": keten_hash,
              "tijdstip": tijdstip, "sleutel_id": sleutel_id}
    return canonical_json({**fields, "keten": keten} if keten else fields).encode("utf-8")


def signature_valid(key: Ed25519PublicKey, anchor: Mapping[str, Any]) -> bool:
    try:
        signature = base64.b64decode(anchor["handtekening"], validate=True)
        key.verify(signature, message(anchor["volgnummer"], anchor["keten_hash"],
                                      anchor["tijdstip"], anchor["sleutel_id"],
                                      anchor.get("keten", "")))
    except (InvalidSignature, binascii.Error, ValueError, KeyError, TypeError):
        return False
    return True


# ── signing ──────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Signer:
    """The private key and the interval: after `every` adviezen, or a head that moved when the
    newest signature is `seconds` old (0 turns either off)."""

    key: Ed25519PrivateKey
    every: int
    seconds: float
    key_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_id", key_id(self.key.public_key()))

    def sign(self, volgnummer: int, keten_hash: str, tijdstip: str, keten: str = "") -> str:
        raw = self.key.sign(message(volgnummer, keten_hash, tijdstip, self.key_id, keten))
        return base64.b64encode(raw).decode("ascii")

    def due(self, newest: KetenAnker | None, head: Keten, at: dt.datetime) -> bool:
        if head.volgnummer == 0:
            return False
        if newest is None:
            return True
        if newest.volgnummer >= head.volgnummer:
            return False
        if self.every and head.volgnummer - newest.volgnummer >= self.every:
            return True
        return bool(self.seconds) and (at - _parse(newest.tijdstip)).total_seconds() \
            >= self.seconds

    def sign_if_due(self, session: Session, head: Keten) -> KetenAnker | None:
        """Called by `store_advies` with the head locked and just moved."""
        if not self.due(newest_anchor(session, head.naam), head, dt.datetime.now(dt.UTC)):
            return None
        return self.anchor(session, head)

    def anchor(self, session: Session, head: Keten) -> KetenAnker:
        """Sign the (locked) head. The newest anchor is returned instead when it is this very
        head, signed by this key, and its signature holds."""
        newest = newest_anchor(session, head.naam)
        if (newest is not None and newest.volgnummer == head.volgnummer
                and newest.keten_hash == head.hash and newest.sleutel_id == self.key_id
                and signature_valid(self.key.public_key(), document(newest))):
            return newest
        stamp = now()
        row = KetenAnker(keten=head.naam, volgnummer=head.volgnummer, keten_hash=head.hash,
                         tijdstip=stamp, sleutel_id=self.key_id,
                         handtekening=self.sign(head.volgnummer, head.hash, stamp, head.naam))
        session.add(row)
        session.flush()
        return row


def signer_for(cfg: KetenInstellingen) -> Signer | None:
    key = cfg.privesleutel
    return None if key is None else Signer(key, cfg.anker_elke, cfg.anker_seconden)


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _anchors(session: Session, keten: str) -> Any:
    """The signed heads of chain `keten` (a schema before 0010 has one chain, no column)."""
    if not has_ketens(session):
        return select(KetenAnker).options(defer(KetenAnker.keten))
    return select(KetenAnker).where(KetenAnker.keten == keten)


def _keten(row: KetenAnker) -> str:
    """The anchor's chain ("" on a schema before 0010, where the column is deferred)."""
    state: Any = inspect(row)
    return "" if "keten" in state.unloaded else row.keten


def newest_anchor(session: Session, keten: str = "") -> KetenAnker | None:
    return session.scalars(_anchors(session, keten).order_by(KetenAnker.id.desc()).limit(1)
                           ).first()


def sign_head(session: Session, signer: Signer, keten: str = "") -> KetenAnker | None:
    """Lock the head of chain `keten` and sign it (on demand); None for an empty or unknown
    chain. The caller commits."""
    head = session.execute(select(Keten).where(Keten.naam == keten).with_for_update()
                           ).scalar_one_or_none()
    if head is None or head.volgnummer == 0:
        return None
    return signer.anchor(session, head)


def sign_heads(session: Session, signer: Signer) -> list[KetenAnker]:
    """`sign_head` for every chain with links."""
    return [row for naam in chain_names(session)
            if (row := sign_head(session, signer, naam)) is not None]


def document(row: KetenAnker, keys: Mapping[str, Ed25519PublicKey] | None = None
             ) -> dict[str, Any]:
    """A signed head as JSON (the anchor an auditor keeps), with the public key when known;
    `keten` only for a gemeente's chain (the documents of the chain "" stay as they were)."""
    out: dict[str, Any] = {"volgnummer": row.volgnummer, "keten_hash": row.keten_hash,
                           "tijdstip": row.tijdstip, "sleutel_id": row.sleutel_id,
                           "handtekening": row.handtekening}
    if _keten(row):
        out["keten"] = _keten(row)
    if keys and row.sleutel_id in keys:
        out["publieke_sleutel"] = public_pem(keys[row.sleutel_id])
    return out


# ── verification ─────────────────────────────────────────────────────────────────────────────

@dataclass
class Verification:
    """The chain walk (`service.store.walk_chain`) plus every signed head and any external
    anchor. Adviezen whose trace a later wissing erased are counted in a note, never a fault."""

    geldig: bool
    aantal: int
    eerste_fout: int | None
    melding: str
    ondertekend: bool
    ankers: int = 0
    laatste_anker: int | None = None
    niet_ondertekend: int = 0
    extern_anker: bool | None = None
    meldingen: list[str] = field(default_factory=list)
    controlepunt: Controlepunt | None = None
    """Where this walk ended, when everything held: the start of a later walk (`vanaf`)."""
    keten: str | None = ""
    """The chain verified; None for all of them (`verify_all`, each in `ketens`)."""
    ketens: list[Verification] = field(default_factory=list)


def _anchor_problem(anchor: Mapping[str, Any], on_chain: str | None, end: int,
                    keys: Mapping[str, Ed25519PublicKey], label: str) -> str | None:
    v = anchor["volgnummer"]
    if keys:
        key = keys.get(anchor["sleutel_id"])
        if key is None:
            return f"{label} bij volgnummer {v}: sleutel {anchor['sleutel_id']} is niet vertrouwd"
        if not signature_valid(key, anchor):
            return f"{label} bij volgnummer {v}: handtekening klopt niet"
    if v > end:
        return (f"{label} bij volgnummer {v} ligt voorbij het einde van de keten ({end}): "
                "adviezen verwijderd")
    if on_chain != anchor["keten_hash"]:
        return (f"{label} bij volgnummer {v} staat niet meer op de keten: een advies tot en met "
                f"volgnummer {v} is herschreven")
    return None


def newest_signed_head(session: Session, keys: Iterable[Ed25519PublicKey], keten: str = ""
                       ) -> tuple[KetenAnker | None, str | None]:
    """The stored signed head of chain `keten` with the highest volgnummer, and what is wrong
    with it (None: its signature holds and it is still on the chain). For an export without
    the private key."""
    row = session.scalars(_anchors(session, keten).order_by(
        KetenAnker.volgnummer.desc(), KetenAnker.id.desc()).limit(1)).first()
    if row is None:
        return None, None
    return row, _anchor_problem(document(row), hash_at(session, row.volgnummer, keten),
                                _end(session, keten), trusted_keys(keys), "ondertekende kop")


def covering_head(session: Session, volgnummer: int, keys: Iterable[Ed25519PublicKey],
                  keten: str = "") -> tuple[KetenAnker | None, str | None]:
    """The first signed head of chain `keten` at or after `volgnummer` (it commits to that link
    and every one before it), and what is wrong with it (None: its signature holds against a
    trusted key and its hash is still the one on the chain). (None, None): nothing signed
    covers it yet."""
    row = session.scalars(_anchors(session, keten).where(KetenAnker.volgnummer >= volgnummer)
                          .order_by(KetenAnker.volgnummer, KetenAnker.id).limit(1)).first()
    if row is None:
        return None, None
    return row, _anchor_problem(document(row), hash_at(session, row.volgnummer, keten),
                                _end(session, keten), trusted_keys(keys), "ondertekende kop")


def _end(session: Session, keten: str = "") -> int:
    """The highest volgnummer of chain `keten`, whichever kind of link holds it."""
    scoped = has_ketens(session)
    return max(int(session.scalar(select(func.max(m.volgnummer)).where(
        m.keten == keten if scoped else true())) or 0) for m in chain_models(session))


def verify(session: Session, keys: Iterable[Ed25519PublicKey],
           extern: Iterable[Mapping[str, Any]] = (),
           vanaf: Controlepunt | None = None, keten: str = "",
           processen: int = 1) -> Verification:
    """Verify the chain, every stored signed head against the trusted public `keys`, and each
    `extern` anchor (one an auditor kept outside the system) as a prefix of the chain that is
    still among the stored signed heads. Without configured keys, the public key in an
    external anchor is trusted (it is as safe as the auditor's copy of the anchor). With
    `vanaf` (a checkpoint of an earlier intact walk) only the links after it are read
    (`walk_chain`); the signed heads are all checked still. One chain: `keten` ("" the chain
    without a gemeente; `vanaf`'s chain when given); the external anchors of other chains are
    left to their own verification. `processen` > 1 splits a long walk over processes
    (`service.ketensegmenten`; the CLI, never a request)."""
    keten = vanaf.keten if vanaf is not None else keten
    extern = [a for a in extern if a.get("keten", "") == keten]
    trusted = trusted_keys(keys)
    walk = walk_in_segments(session, vanaf, keten, processen)
    ok, count, first, chain_message = walk.geldig, walk.aantal, walk.eerste_fout, walk.melding
    end = _end(session, keten)
    scoped = has_ketens(session)
    notes: list[str] = []
    faults: list[tuple[int | None, str]] = []
    if not ok:
        faults.append((first, f"volgnummer {first}: {chain_message}" if first is not None
                       else chain_message))
    if not trusted:
        for a in extern:
            pem = a.get("publieke_sleutel")
            with contextlib.suppress(ValueError):
                for k in load_public_keys(pem.encode(), "extern anker") if pem else ():
                    if key_id(k) == a["sleutel_id"]:
                        trusted[key_id(k)] = k
        if trusted:
            notes.append("publieke sleutel uit het externe anker gebruikt")
    if not trusted:
        notes.append(ONBEKEND)

    checked = 0
    last_good: int | None = None
    links = chain_models(session)
    stmt = _anchors(session, keten).add_columns(func.coalesce(*(m.keten_hash for m in links)))
    for model in links:  # a signed head sits on the link with its volgnummer, of any kind
        stmt = stmt.outerjoin(model, and_(model.volgnummer == KetenAnker.volgnummer,
                                          model.keten == keten if scoped else true()))
    stmt = stmt.order_by(KetenAnker.volgnummer, KetenAnker.id)
    for anchor, on_chain in session.execute(stmt.execution_options(yield_per=500)):
        checked += 1
        problem = _anchor_problem(document(anchor), on_chain, end, trusted,
                                  "ondertekende kop")
        if problem:
            faults.append((anchor.volgnummer, problem))
        elif trusted:
            last_good = anchor.volgnummer if last_good is None else max(last_good,
                                                                        anchor.volgnummer)

    extern_ok: bool | None = None
    for a in extern:
        problem = _anchor_problem(a, hash_at(session, a["volgnummer"], keten), end, trusted,
                                  "extern anker")
        if problem is None and session.scalar(select(KetenAnker.id).where(
                KetenAnker.keten == keten if scoped else true(),
                KetenAnker.volgnummer == a["volgnummer"],
                KetenAnker.keten_hash == a["keten_hash"],
                KetenAnker.handtekening == a["handtekening"]).limit(1)) is None:
            problem = (f"extern anker bij volgnummer {a['volgnummer']} ontbreekt in "
                       "keten_ankers: ondertekende koppen verwijderd")
        if problem:
            faults.append((a["volgnummer"], problem))
        extern_ok = problem is None and extern_ok is not False

    if walk.gewist:
        notes.append(f"{walk.gewist} adviezen gewist (AVG-wissing): inhoud weg, hashes "
                     "gecontroleerd tegen de wissing in de keten")
    unsigned = max(end - (last_good or 0), 0)
    if trusted and unsigned:
        notes.append(f"{unsigned} {'schakel' if unsigned == 1 else 'schakels'} (advies, "
                     "besluit of wissing) na de laatste ondertekende kop "
                     f"({last_good or 'geen'}) {'is' if unsigned == 1 else 'zijn'} nog niet "
                     "ondertekend")
    if faults:
        # the chain's own fault first; otherwise the signed head with the lowest volgnummer
        eerste, melding = faults[0] if not ok else min(faults, key=lambda f: f[0] or 0)
    else:
        eerste = None
        melding = chain_message + (f"; ondertekend tot en met volgnummer {last_good}"
                                   if last_good is not None else
                                   "; niet ondertekend" if not trusted else
                                   "; nog geen ondertekende kop")
    checkpoint = (Controlepunt(count, walk.kop_hash, walk.formule, keten)
                  if not faults and count else None)
    return Verification(geldig=not faults, aantal=count, eerste_fout=eerste, melding=melding,
                        ondertekend=bool(trusted) and last_good is not None, ankers=checked,
                        laatste_anker=last_good, niet_ondertekend=unsigned,
                        extern_anker=extern_ok,
                        meldingen=[m for _, m in faults] + notes, controlepunt=checkpoint,
                        keten=keten)


def _label(keten: str) -> str:
    return f"keten {keten}" if keten else "keten zonder gemeente"


def verify_all(session: Session, keys: Iterable[Ed25519PublicKey],
               extern: Iterable[Mapping[str, Any]] = (),
               vanaf: Iterable[Controlepunt] = (), processen: int = 1) -> Verification:
    """`verify` for every chain (one per gemeente, and the chain ""), each from its checkpoint
    in `vanaf` when there is one, as one result: valid when every chain is, the counts summed,
    each message named after its chain; per chain in `ketens`. An external anchor or a
    checkpoint of a chain that does not exist is a fault, never passed over."""
    keys, extern = list(keys), list(extern)
    points = {p.keten: p for p in vanaf}
    names = chain_names(session)
    results = [verify(session, keys, extern, points.get(naam), naam, processen)
               for naam in names]
    faults = [f"{a.get('keten')}: extern anker van een keten die niet bestaat"
              for a in extern if a.get("keten", "") not in names]
    faults += [f"{p.keten}: controlepunt van een keten die niet bestaat"
               for p in points.values() if p.keten not in names]
    if len(results) == 1 and not faults:
        results[0].keten = None
        results[0].ketens = [replace(results[0], ketens=[], keten=names[0])]
        return results[0]
    bad = [r for r in results if not r.geldig]
    meldingen = faults + [f"{_label(r.keten or '')}: {m}" for r in results for m in r.meldingen]
    melding = "; ".join(f"{_label(r.keten or '')}: {r.melding}" for r in results)
    return Verification(
        geldig=not bad and not faults, aantal=sum(r.aantal for r in results),
        eerste_fout=bad[0].eerste_fout if bad else None,
        melding=(faults[0] + "; " + melding) if faults else melding,
        ondertekend=all(r.ondertekend for r in results if r.aantal),
        ankers=sum(r.ankers for r in results), laatste_anker=None,
        niet_ondertekend=sum(r.niet_ondertekend for r in results),
        extern_anker=None if all(r.extern_anker is None for r in results) else
        all(r.extern_anker is not False for r in results) and not faults,
        meldingen=meldingen, controlepunt=None, keten=None, ketens=results)


CONTROLEPUNT_DOEL = "omgekeerde-toets/keten-controlepunt/v1"


def checkpoint_document(punt: Controlepunt) -> dict[str, Any]:
    """A checkpoint as the auditor keeps it (`service.schemas.KetenControlepunt`)."""
    return {"doel": CONTROLEPUNT_DOEL, **({"keten": punt.keten} if punt.keten else {}),
            "volgnummer": punt.volgnummer, "keten_hash": punt.keten_hash,
            "formule": punt.formule, "tijdstip": now()}


# ── the service: say so when unsigned, sign at intervals ─────────────────────────────────────

def sign_now(sessions: Callable[[], Session], signer: Signer) -> list[KetenAnker]:
    """Sign the head of every chain (`sign_heads`): at start and periodically, so a quiet
    gemeente's tail of links does not stay unsigned until its next one."""
    with sessions() as session:
        rows = sign_heads(session, signer)
        session.commit()
        return rows


async def _sign(sessions: Callable[[], Session], signer: Signer) -> None:
    try:
        await asyncio.to_thread(sign_now, sessions, signer)
    except Exception as exc:  # never take the service down; say it
        log.error("keten: de kop ondertekenen mislukte (%s)", type(exc).__name__)


async def _sign_periodically(sessions: Callable[[], Session], signer: Signer) -> None:
    """Every `signer.seconds`: sign the head if it moved, so a quiet tail of adviezen does not
    stay unsigned until the next advies."""
    while True:
        await asyncio.sleep(signer.seconds)
        await _sign(sessions, signer)


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Part of the app's lifespan (through the adviezen router): warn loudly when the chain is
    unsigned; otherwise sign at start and at the configured interval."""
    cfg: KetenInstellingen = app.state.settings.keten
    signer = signer_for(cfg)
    if signer is None:
        log.warning("KETEN NIET ONDERTEKEND: wie de database kan schrijven, kan adviezen "
                    "herschrijven zonder dat de keten het toont. Configureer OT_KETEN_SLEUTEL "
                    "(zie docs/keten.md).")
        yield
        return
    log.info("keten: koppen ondertekend met %s (elke %d adviezen, elke %g s)", signer.key_id,
             signer.every, signer.seconds)
    await _sign(app.state.sessions, signer)  # a head left unsigned before this start
    if not signer.seconds:
        yield
        return
    task = asyncio.create_task(_sign_periodically(app.state.sessions, signer))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
