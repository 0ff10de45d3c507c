"""Requests a consumer key with OVH's official Python SDK (`ovh` on PyPI) against the simulator,
with the rules printed by the operator (one `METHOD PATH` per line on stdin), and checks how the
SDK sees the key before and after validation: the simulator's answers must map to the SDK's own
exceptions (`InvalidCredential` while pending, `NotGrantedCall` outside the rules).
Usage: sdk_consumer_key.py BASE_URL < rules; prints a JSON summary.
"""

import json
import sys

import requests

import ovh
import ovh.client
import ovh.exceptions

base_url = sys.argv[1]
ovh.client.ENDPOINTS["sim"] = base_url
rules = [dict(zip(("method", "path"), line.split(" ", 1))) for line in sys.stdin.read().splitlines() if line]

client = ovh.Client(endpoint="sim", application_key="sim-ak", application_secret="sim-as")
answer = client.request_consumerkey(rules)
assert answer["state"] == "pendingValidation", answer
summary = {"state": answer["state"], "rules": len(rules)}

# Not validated yet.
try:
    client.get("/me")
    raise SystemExit("a pending key was accepted")
except ovh.exceptions.InvalidCredential as e:
    summary["pending"] = type(e).__name__

# A person opens the validation URL and presses the button.
page = requests.get(answer["validationUrl"], timeout=10)
assert 'id="validate"' in page.text, page.text
token = answer["validationUrl"].split("credentialToken=")[1]
requests.post(answer["validationUrl"].split("?")[0], data={"credentialToken": token}, timeout=10).raise_for_status()

summary["me"] = client.get("/me")["nichandle"]
try:
    client.get("/auth/details")
    raise SystemExit("a call outside the rules was accepted")
except ovh.exceptions.NotGrantedCall as e:
    summary["outside"] = type(e).__name__
    summary["outsideMessage"] = str(e).split(" \nOVH-Query-ID")[0]
print(json.dumps(summary))
