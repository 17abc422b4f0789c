"""Reads mails with Python's own `email` package (a parser we did not write) and prints what it
sees as JSON: headers (decoded, with any raw 8-bit bytes flagged), defects, content type and
parameters, and every leaf part. Usage: python3 read-mail.py FILE..."""
import json
import sys
from email import policy
from email.parser import BytesParser


def describe(path):
    raw = open(path, 'rb').read()
    head = raw.split(b'\r\n\r\n', 1)[0]
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    parts = []
    defects = [type(d).__name__ for d in msg.defects]
    for part in msg.walk():
        defects += [type(d).__name__ for d in part.defects]
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b''
        parts.append({
            'content_type': part.get_content_type(),
            'content_id': part.get('Content-ID'),
            'filename': part.get_filename(),
            'size': len(payload),
        })
    return {
        'headers': [[k, str(v)] for k, v in msg.items()],
        'header_bytes_ascii': all(b < 0x80 for b in head),
        'defects': defects,
        'content_type': msg.get_content_type(),
        'params': {k: v for k, v in (msg['Content-Type'].params.items() if msg['Content-Type'] else [])},
        'parts': parts,
    }


print(json.dumps([describe(p) for p in sys.argv[1:]]))
