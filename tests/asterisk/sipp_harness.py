"""SIPp on real SIP for the voice tests: citizens on the carrier trunk's address (127.0.0.2)
calling 12345 with G.711 A-law and RFC 4733 keys, and SIP servers standing in for 110.

What a SIPp side hears is recorded by an RtpEar on the port its SDP names (SIPp 3.6 sends
pcaps but keeps no count of what it receives). Keys are driven by the test: a citizen's step
waits for an in-dialog NOTIFY that Asterisk sends on the test's word (AMI PJSIPNotify), see
CitizenCall.press_when_heard. SIPp's screen output goes to sipp-<name>.out in the test's
tmp_path, next to its message trace and error log.
"""

from __future__ import annotations

import shutil
import socket
import struct
import subprocess
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import pytest

from e2e_harness import wait_for

SIPP = shutil.which("sipp")
SIPP_SHARE = Path("/usr/share/sip-tester")
SCENARIOS = Path(__file__).with_name("sipp")
AUDIO_PCAP = SIPP_SHARE / "g711a.pcap"   # 7.05 s of PCMA speech (RtpStream repeats it)
KEY_GAP_MS = 300                         # between two keys (each RFC 4733 pcap lasts 140 ms)
CARRIER_ADDRESS = "127.0.0.2"            # HOTLINE_SIP_TRUNK_MATCH's default
ASTERISK_SIP = "127.0.0.1:5060"
SIPP_TIMEOUT = "120s"                    # SIPp gives up (and fails) after this
NOTIFY_MODULE = "res_pjsip_notify.so"    # AMI PJSIPNotify; not in modules.conf
NOTIFY_OPTION = "hotline-test-step"     # asterisk_conf/test/pjsip_notify.conf
PCMA = 8
LOUD = 200                               # mean |sample| above this is speech, not silence
KEY_PCAPS = {**{d: f"dtmf_2833_{d}.pcap" for d in "0123456789"},
             "*": "dtmf_2833_star.pcap", "#": "dtmf_2833_pound.pcap"}
SKIP_REASON = "SIPp is not installed (apt-get install sip-tester; scripts/system-packages does)"


def free_udp_port(host: str, even: bool = False) -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if not even or port % 2 == 0:
            return port


def finish(proc: subprocess.Popen, timeout: float = 150) -> str:
    """Wait for a SIPp process; its output. Fails unless SIPp counted its call successful."""
    proc.wait(timeout=timeout)
    out = output(proc)
    assert proc.returncode == 0, out[-3000:]
    return out


def output(proc: subprocess.Popen) -> str:
    """What SIPp printed so far (its statistics screens)."""
    return _OUTPUTS[proc.pid].read_text(errors="replace")


def row_of(hotline, number: str):
    rows = [r for r in hotline.rows() if number in (r.caller_raw or "")]
    return rows[0] if len(rows) == 1 else None


# --- the one-shot citizen of citizen.xml ------------------------------------------------------
def citizen(tmp_path, *, caller: str, keys: str = "", keys_after_ms: int = 2000,
            talk_ms: int = 20_000, service: str = "12345") -> subprocess.Popen:
    """Start one SIPp citizen (in the background); ``keys``: one RFC 4733 digit or none."""
    keys_pcap = SIPP_SHARE / KEY_PCAPS[keys] if keys else AUDIO_PCAP
    scenario = tmp_path / f"citizen-{caller}.xml"
    scenario.write_text(Template((SCENARIOS / "citizen.xml").read_text()).substitute(
        audio_pcap=AUDIO_PCAP, keys_pcap=keys_pcap, keys_after_ms=keys_after_ms,
        talk_ms=talk_ms))
    return _sipp(tmp_path, scenario, caller, CARRIER_ADDRESS,
                 [ASTERISK_SIP, "-s", service, "-key", "caller", caller])


def _sipp(tmp_path, scenario: Path, name: str, address: str, args: list[str],
          port: int | None = None, media_port: int | None = None) -> subprocess.Popen:
    cmd = [SIPP, *args, "-sf", str(scenario),
           "-i", address, "-p", str(port or free_udp_port(address)),
           "-mi", address, "-mp", str(media_port or free_udp_port(address, even=True)),
           "-m", "1", "-l", "1", "-nostdin", "-timeout", SIPP_TIMEOUT, "-timeout_error",
           "-trace_msg", "-message_file", str(tmp_path / f"sipp-{name}-messages.log"),
           "-trace_err", "-error_file", str(tmp_path / f"sipp-{name}-errors.log")]
    # a file, not a pipe: SIPp redraws its screen every second and must never block on it
    path = tmp_path / f"sipp-{name}.out"
    with open(path, "w") as out:
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    _STARTED.append(proc)
    _OUTPUTS[proc.pid] = path
    return proc


_STARTED: list[subprocess.Popen] = []
_OUTPUTS: dict[int, Path] = {}


@pytest.fixture(autouse=True)
def sipp_processes():
    """Ends the SIPp processes a test started and left running (a failed test)."""
    yield
    while _STARTED:
        proc = _STARTED.pop()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- what a SIPp side hears ----------------------------------------------------------------------
# SIPp 3.6 sends a pcap's RTP from the port of the scenario's [media_port+N] on the m=audio
# line. Its scenarios write [media_port+4] there: SIPp itself binds -mp and -mp + 2 (video)
# and never reads them, so the ear binds -mp + 4, the port SIPp's RTP leaves from: the side's
# RTP is symmetric, sent and received on the port its SDP names.
EAR_OFFSET = 4


@dataclass
class RtpEar:
    """The UDP socket a SIPp side's SDP names for its audio: records what that side hears,
    as (arrival, payload type, payload); SIPp 3.6 keeps no count of the RTP it receives."""

    address: str
    sock: socket.socket = field(init=False, repr=False)
    packets: list[tuple[float, int, bytes]] = field(default_factory=list, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        self.sock = _ear_socket(self.address)
        threading.Thread(target=self._listen, daemon=True, name="rtp-ear").start()

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    @property
    def sipp_media_port(self) -> int:
        """SIPp's -mp for the side this ear belongs to."""
        return self.port - EAR_OFFSET

    def _listen(self) -> None:
        while True:
            try:
                data = self.sock.recv(2048)
            except OSError:
                return
            if len(data) > 12 and data[0] >> 6 == 2:  # RTP version 2
                with self.lock:
                    self.packets.append((time.monotonic(), data[1] & 0x7F, data[12:]))

    def audio(self, start: float = 0.0, end: float = float("inf")) -> list[tuple[float, bytes]]:
        """The PCMA packets that arrived between ``start`` and ``end`` (monotonic)."""
        with self.lock:
            return [(t, p) for t, pt, p in self.packets if pt == PCMA and start <= t <= end]

    def heard_since(self, start: float, packets: int = 10) -> bool:
        """At least ``packets`` of audio (20 ms each) arrived after ``start``."""
        return len(self.audio(start)) >= packets

    def describe(self, start: float = 0.0) -> str:
        """What arrived since ``start``: for failure messages."""
        with self.lock:
            got = [(pt, len(p)) for t, pt, p in self.packets if t >= start]
        audio = self.audio(start)
        return (f"{len(got)} packets, payload types {sorted({pt for pt, _ in got})}, sizes "
                f"{sorted({n for _, n in got})}, loudness {loudness(audio):.0f}, "
                f"recording chunks {recording_chunks(audio)}")

    def close(self) -> None:
        self.sock.close()


def _ear_socket(address: str) -> socket.socket:
    """A socket on an even port P + EAR_OFFSET whose P and P + 2 are free for SIPp's -mp."""
    while True:
        media = free_udp_port(address, even=True)
        if media + EAR_OFFSET > 65535:
            continue
        probes = []
        try:
            for port in (media + 2, media + EAR_OFFSET):
                probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                probes.append(probe)
                probe.bind((address, port))
        except OSError:
            for probe in probes:
                probe.close()
            continue
        probes[0].close()
        return probes[1]


def loudness(packets: list[tuple[float, bytes]]) -> float:
    """Mean absolute sample of the PCMA payloads, on a 0..32767 scale (0: silence)."""
    samples = [_alaw(b) for _, payload in packets for b in payload]
    return sum(abs(s) for s in samples) / len(samples) if samples else 0.0


def _alaw(byte: int) -> int:
    """One G.711 A-law byte as a linear sample (ITU-T G.711)."""
    a = byte ^ 0x55
    exponent, mantissa = (a >> 4) & 7, a & 0x0F
    magnitude = (mantissa << 4) + 8
    if exponent:
        magnitude = (magnitude + 0x100) << (exponent - 1)
    return magnitude if a & 0x80 else -magnitude


def recording_chunks(packets: list[tuple[float, bytes]], pcap: Path = AUDIO_PCAP) -> int:
    """How many of ``packets`` carry speech cut from ``pcap``'s PCMA audio, byte for byte:
    what a SIPp side said reached the other side unchanged (A-law both ways, no transcoding).
    Packets quieter than LOUD (silence, comfort noise) are not counted."""
    said = b"".join(_pcap_payloads(pcap))
    return sum(1 for p in packets if loudness([p]) > LOUD and p[1] in said)


def _pcap_payloads(pcap: Path) -> list[bytes]:
    """The RTP payloads of a classic pcap of Ethernet/IPv4/UDP/RTP frames."""
    return [frame[RTP_AT + 12:] for _, frame in _pcap_records(pcap.read_bytes())]


def silent_seconds(packets: list[tuple[float, bytes]], start: float, end: float) -> list[int]:
    """The whole seconds of [start, end) in which fewer than 10 packets (of 50) arrived."""
    per_second = [0] * max(1, int(end - start))
    for t, _ in packets:
        slot = int(t - start)
        if 0 <= slot < len(per_second):
            per_second[slot] += 1
    return [i for i, count in enumerate(per_second) if count < 10]


# --- prompts our FastAGI server plays ----------------------------------------------------------
class PromptWatch:
    """Records when the server resolves each prompt name: it does so just before the command
    that plays it (STREAM FILE / GET DATA) goes to Asterisk."""

    def __init__(self, deps):
        self._resolve = deps.prompt
        self._lock = threading.Lock()
        self.resolved: list[tuple[float, str]] = []
        deps.prompt = self._prompt

    def _prompt(self, name: str) -> str:
        with self._lock:
            self.resolved.append((time.monotonic(), name))
        return self._resolve(name)

    def first(self, name: str, after: float = 0.0) -> float | None:
        with self._lock:
            return next((t for t, n in self.resolved if n == name and t >= after), None)

    def names(self) -> list[str]:
        with self._lock:
            return [n for _, n in self.resolved]


# --- the driven citizen of citizen_steps.xml ------------------------------------------------------
def notify_ready(asterisk) -> None:
    """Load res_pjsip_notify (AMI PJSIPNotify) into the test Asterisk when it is not yet."""
    if not _running(asterisk, NOTIFY_MODULE):
        asterisk.cli(f"module load {NOTIFY_MODULE}")
    assert _running(asterisk, NOTIFY_MODULE), asterisk.cli(f"module show like {NOTIFY_MODULE}")


def _running(asterisk, module: str) -> bool:
    lines = asterisk.cli(f"module show like {module}").splitlines()
    return any(module in line and " Running" in line and "Not Running" not in line
               for line in lines)


@dataclass
class CitizenCall:
    """One SIPp citizen whose steps (keys, then hang-up) the test releases one by one.

    Timing: a key only counts while a prompt that collects keys is playing (between two AGI
    commands Asterisk drops it). So the test releases a step only once the server has asked
    for that prompt (PromptWatch) AND the citizen's ear receives its audio; the step's NOTIFY
    then travels AMI -> Asterisk -> SIPp, which plays the keys at once."""

    proc: subprocess.Popen
    ear: RtpEar
    caller: str
    ami: object
    events: object
    channel: str = ""

    def pjsip_channel(self, timeout: float = 30.0) -> str:
        """The citizen's PJSIP channel on the Asterisk side (from its Newchannel event)."""
        if not self.channel:
            event = self.events.wait_for(
                "Newchannel", timeout=timeout, CallerIDNum=self.caller,
                where=lambda e: e.get("Channel", "").startswith("PJSIP/"))
            self.channel = event["Channel"]
        return self.channel

    def step(self) -> None:
        """Release the citizen's next step (its keys, or after the last one: hang up)."""
        self.ami.action("PJSIPNotify", Channel=self.pjsip_channel(), Option=NOTIFY_OPTION)

    def press_when_heard(self, prompts: PromptWatch, prompt: str, after: float = 0.0,
                         timeout: float = 60.0) -> float:
        """Release the next step once ``prompt`` (resolved after ``after``) is being heard."""
        at = wait_for(lambda: self._alive() and prompts.first(prompt, after), timeout,
                      f"no prompt {prompt}")
        wait_for(lambda: self._alive() and self.ear.heard_since(at), 15,
                 f"the citizen did not hear {prompt}")
        self.step()
        return at

    def _alive(self) -> bool:
        """True while SIPp runs; fails the test with SIPp's output once it has stopped."""
        if self.proc.poll() is None:
            return True
        raise AssertionError(f"SIPp ended early ({self.proc.returncode}): "
                             f"{output(self.proc)[-3000:]}")

    def finish(self, timeout: float = 150) -> str:
        try:
            return finish(self.proc, timeout)
        finally:
            self.ear.close()


def driven_citizen(tmp_path, hotline, *, caller: str, steps: list[str],
                   service: str = "12345") -> CitizenCall:
    """Start a SIPp citizen calling ``service``; ``steps``: the keys of each step, in order."""
    ear = RtpEar(CARRIER_ADDRESS)
    step = Template((SCENARIOS / "citizen_step.xml").read_text())
    stream = RtpStream(tmp_path, caller)
    body = "".join(step.substitute(id=f"step{n}", speech=stream.speech(),
                                   then=_presses(keys, stream))
                   for n, keys in enumerate(steps, 1))
    last = step.substitute(id="last", speech=stream.speech(), then="")  # then: hang up
    scenario = tmp_path / f"citizen-{caller}.xml"
    scenario.write_text(Template((SCENARIOS / "citizen_steps.xml").read_text()).substitute(
        steps=body, last=last))
    proc = _sipp(tmp_path, scenario, caller, CARRIER_ADDRESS,
                 [ASTERISK_SIP, "-s", service, "-key", "caller", caller],
                 media_port=ear.sipp_media_port)
    return CitizenCall(proc, ear, caller, hotline.ami, hotline.events)


def _presses(keys: str, stream: "RtpStream") -> str:
    """One RFC 4733 pcap per key; the pause lets each play out before the next one starts
    (a new play_pcap_audio stops the one in progress)."""
    press = ('  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n'
             f'  <pause milliseconds="{KEY_GAP_MS}"/>\n')
    return "".join(press.format(pcap=stream.key(k)) for k in keys)


@dataclass
class RtpStream:
    """The pcaps one SIPp side plays, made in the order it plays them, as ONE RTP stream.

    SIPp sends a pcap's RTP headers as they are, so played as shipped every replay of
    g711a.pcap would start its sequence numbers and timestamps over, each key pcap would bring
    an SSRC, sequence numbers and a timestamp of its own, and Asterisk drops what does not follow
    on (an RFC 4733 event whose timestamp is not after the previous one's end: "Dropping out of
    order DTMF frame"; played as shipped, "20" arrives as "2"). So every play here is a copy
    with this stream's SSRC and sequence numbers and timestamps that carry on from the previous
    play's end, as a phone's would (a play cut short leaves a forward jump, as after silence
    suppression). SIPp recomputes the UDP checksum of every packet, so only RTP headers change.
    """

    folder: Path
    name: str
    ssrc: int = field(init=False)
    seq: int = 1000
    ts: int = 8000
    plays: int = 0

    def __post_init__(self):
        self.ssrc = zlib.crc32(self.name.encode())  # one per side, as a phone picks its own

    def speech(self) -> Path:
        """SPEECH_LOOPS x g711a.pcap, one after the other: speech for a whole step."""
        packets = _pcap_records(AUDIO_PCAP.read_bytes())
        span = packets[-1][0] - packets[0][0] + FRAME_S
        frames = []
        for loop in range(SPEECH_LOOPS):
            for at, frame in packets:
                frames.append((at + loop * span, self._stamped(frame, len(frames), 0)))
                self.ts += SAMPLES_PER_FRAME
        return self._write("speech", frames, len(frames))

    def key(self, key: str) -> Path:
        """One key as an RFC 4733 event: all its packets carry one timestamp (the event's
        start), its end packets repeat their sequence number."""
        packets = _pcap_records((SIPP_SHARE / KEY_PCAPS[key]).read_bytes())
        seq0 = _rtp_seq(packets[0][1])
        frames = [(at, self._stamped(frame, _rtp_seq(frame) - seq0, 0)) for at, frame in packets]
        self.ts += EVENT_SPACING
        return self._write(f"key-{KEY_PCAPS[key]}", frames, _rtp_seq(packets[-1][1]) - seq0 + 1)

    def _stamped(self, frame: bytes, seq_offset: int, ts_offset: int) -> bytes:
        out = bytearray(frame)
        out[RTP_AT + 2:RTP_AT + 12] = struct.pack(
            ">HII", (self.seq + seq_offset) & 0xFFFF, (self.ts + ts_offset) & 0xFFFFFFFF,
            self.ssrc)
        return bytes(out)

    def _write(self, what: str, frames: list[tuple[float, bytes]], seq_used: int) -> Path:
        self.seq += seq_used
        self.plays += 1
        path = self.folder / f"rtp-{self.name}-{self.plays:03d}-{what}"
        path.write_bytes(_pcap_bytes(frames))
        return path


SPEECH_LOOPS = 13          # 13 x 7.05 s: longer than any step of a test call
FRAME_S = 0.030            # g711a.pcap: 30 ms of audio per packet
SAMPLES_PER_FRAME = 240
EVENT_SPACING = 8_000      # timestamp units after a key: beyond one event's 2240 samples
RTP_AT = 14 + 20 + 8       # Ethernet, IPv4 and UDP headers before the RTP header
PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)  # Ethernet


def _pcap_records(pcap: bytes) -> list[tuple[float, bytes]]:
    """(capture time, frame) of each record of a classic little-endian pcap."""
    offset, records = 24, []
    while offset + 16 <= len(pcap):
        sec, usec, length = struct.unpack("<III", pcap[offset:offset + 12])
        records.append((sec + usec / 1e6, pcap[offset + 16:offset + 16 + length]))
        offset += 16 + length
    return records


def _pcap_bytes(frames: list[tuple[float, bytes]]) -> bytes:
    out = bytearray(PCAP_HEADER)
    for at, frame in frames:
        sec = int(at)
        out += struct.pack("<IIII", sec, int(round((at - sec) * 1e6)) % 1_000_000,
                           len(frame), len(frame)) + frame
    return bytes(out)


def _rtp_seq(frame: bytes) -> int:
    return struct.unpack(">H", frame[RTP_AT + 2:RTP_AT + 4])[0]


# --- a SIP server standing in for 110 ---------------------------------------------------------
UAS_110_ADDRESS = "127.0.0.3"   # asterisk_conf/test/pjsip_test.conf [sipp-110]'s contact
UAS_110_PORT = 5110


@dataclass
class Uas:
    proc: subprocess.Popen
    ear: RtpEar
    messages: Path

    def invite(self) -> str:
        """The INVITE the server received (from SIPp's message trace), or ''."""
        text = self.messages.read_text(errors="replace") if self.messages.exists() else ""
        start = text.find("INVITE sip:")
        return text[start:text.find("\n\n", start)] if start >= 0 else ""

    def finish(self, timeout: float = 150) -> str:
        try:
            return finish(self.proc, timeout)
        finally:
            self.ear.close()


def uas_110(tmp_path) -> Uas:
    """Start the 110 stand-in (SIPp in server mode) on 127.0.0.3:5110 for one call."""
    ear = RtpEar(UAS_110_ADDRESS)
    scenario = tmp_path / "uas-110.xml"
    scenario.write_text(Template((SCENARIOS / "uas_110.xml").read_text()).substitute(
        speech=RtpStream(tmp_path, "uas-110").speech()))
    proc = _sipp(tmp_path, scenario, "uas-110", UAS_110_ADDRESS, [], port=UAS_110_PORT,
                 media_port=ear.sipp_media_port)
    return Uas(proc, ear, tmp_path / "sipp-uas-110-messages.log")


def header(message: str, name: str) -> str:
    """One header's value in a SIP message's text ('' when absent)."""
    for line in message.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""

