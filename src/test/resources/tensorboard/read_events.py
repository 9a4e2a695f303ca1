#!/usr/bin/env python3
"""An event-file reader written apart from ami's writer: TFRecord framing, masked CRC-32C and the protobuf wire
format decoded by hand from TensorBoard's field numbers (event.proto, summary.proto, tensor.proto).
Prints one JSON object: {"crc_vector_ok": bool, "events": [...]}. Exits 1 on a framing or checksum error."""
import json
import struct
import sys

def _table():
    poly = 0x82F63B78  # CRC-32C (Castagnoli), reflected
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        t.append(c)
    return t

TABLE = _table()

def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF

def masked(data):
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF

def varint(buf, i):
    shift = 0
    out = 0
    while True:
        b = buf[i]
        i += 1
        out |= (b & 0x7F) << shift
        if not b & 0x80:
            return out, i
        shift += 7

def fields(buf):
    """(field number, wire type, value) for each field of one message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v = buf[i:i + 8]
            i += 8
        elif wt == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]
            i += n
        elif wt == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield num, wt, v

def value(buf):
    out = {}
    for num, wt, v in fields(buf):
        if num == 1:
            out["tag"] = v.decode()
        elif num == 2:
            out["kind"] = "scalar"
            out["value"] = struct.unpack("<f", v)[0]
        elif num == 4:
            out["kind"] = "image"
            for n2, _, v2 in fields(v):
                if n2 == 1:
                    out["height"] = v2
                elif n2 == 2:
                    out["width"] = v2
                elif n2 == 3:
                    out["colorspace"] = v2
                elif n2 == 4:
                    out["png_magic"] = v2[:8] == b"\x89PNG\r\n\x1a\n"
        elif num == 8:
            out["kind"] = "tensor"
            for n2, _, v2 in fields(v):
                if n2 == 1:
                    out["dtype"] = v2
                elif n2 == 8:
                    out.setdefault("strings", []).append(v2.decode())
        elif num == 9:
            for n2, _, v2 in fields(v):
                if n2 == 1:
                    for n3, _, v3 in fields(v2):
                        if n3 == 1:
                            out["plugin"] = v3.decode()
    return out

def event(buf):
    out = {}
    for num, wt, v in fields(buf):
        if num == 1:
            out["wall_time"] = struct.unpack("<d", v)[0]
        elif num == 2:
            out["step"] = v
        elif num == 3:
            out["file_version"] = v.decode()
        elif num == 5:
            out["values"] = [value(v2) for n2, _, v2 in fields(v) if n2 == 1]
    return out

def main(path):
    # RFC 3720 B.4: CRC-32C of 32 zero bytes; and the common check value of "123456789"
    vector_ok = crc32c(bytes(32)) == 0x8A9136AA and crc32c(b"123456789") == 0xE3069283
    data = open(path, "rb").read()
    i = 0
    events = []
    while i < len(data):
        header = data[i:i + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[i + 8:i + 12])
        if hcrc != masked(header):
            print("bad length crc at %d" % i, file=sys.stderr)
            sys.exit(1)
        body = data[i + 12:i + 12 + length]
        (bcrc,) = struct.unpack("<I", data[i + 12 + length:i + 16 + length])
        if bcrc != masked(body):
            print("bad data crc at %d" % i, file=sys.stderr)
            sys.exit(1)
        events.append(event(body))
        i += 16 + length
    print(json.dumps({"crc_vector_ok": vector_ok, "events": events}))

if __name__ == "__main__":
    main(sys.argv[1])
