#!/usr/bin/env python3
"""Bearer tokens for user ids FIRST..LAST, minted as the original (or PyJWT) would: HS256 over
SECRET_KEY, payload {"user_id", "exp"}. usage: mint_tokens.py SECRET FIRST LAST  (comma-separated out)"""
import base64, hashlib, hmac, json, sys, time

def b64(data): return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

secret, first, last = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3])
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
tokens = []
for uid in range(first, last + 1):
    payload = b64(json.dumps({"user_id": uid, "exp": int(time.time()) + 7200}, separators=(",", ":")).encode())
    signature = b64(hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    tokens.append(f"{header}.{payload}.{signature}")
print(",".join(tokens))
