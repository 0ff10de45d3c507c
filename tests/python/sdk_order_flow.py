"""Drives the whole Public Cloud order flow against the simulator with OVH's official Python SDK
(`ovh` on PyPI), then prints a JSON summary for tests/python_sdk.rs to compare with the Rust
client's run. Usage: sdk_order_flow.py BASE_URL ak|oauth2
"""

import json
import os
import re
import sys
import time

import requests

import ovh
import ovh.client
import ovh.exceptions

base_url, mode = sys.argv[1], sys.argv[2]
origin = base_url.rsplit("/1.0", 1)[0]

# The SDK only knows OVH's own endpoints by name; register the simulator as one more.
ovh.client.ENDPOINTS["sim"] = base_url
ovh.client.OAUTH2_TOKEN_URLS["sim"] = origin + "/auth/oauth2/token"
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # the simulator speaks plain http on loopback

if mode == "ak":
    client = ovh.Client(endpoint="sim", application_key="sim-ak", application_secret="sim-as", consumer_key="sim-ck")
else:
    client = ovh.Client(endpoint="sim", client_id="sim-client", client_secret="sim-secret")


def wait(what, fetch, done, seconds=10):
    deadline = time.time() + seconds
    while True:
        value = fetch()
        if done(value):
            return value
        if time.time() > deadline:
            raise SystemExit(f"timed out waiting for {what}: last {value!r}")
        time.sleep(0.05)


assert client.get("/me")["ovhSubsidiary"] == "FR"
cart = client.post("/order/cart", ovhSubsidiary="FR", description="sdk-flow")
cart_id = cart["cartId"]
client.post(f"/order/cart/{cart_id}/assign")
assert client.get("/order/cart", description="sdk-flow") == [cart_id]
offers = client.get(f"/order/cart/{cart_id}/cloud")
assert any(o["planCode"] == "project.2018" for o in offers)
item = client.post(f"/order/cart/{cart_id}/cloud", planCode="project.2018", duration="P1M", pricingMode="default", quantity=1)
for label, value in (("description", "Team A"), ("voucher", "WELCOME")):
    configuration = client.post(f"/order/cart/{cart_id}/item/{item['itemId']}/configuration", label=label, value=value)
    assert configuration["label"] == label and configuration["value"] == value
preview = client.get(f"/order/cart/{cart_id}/checkout")
assert preview["orderId"] is None
order = client.post(f"/order/cart/{cart_id}/checkout", autoPayWithPreferredPaymentMethod=False, waiveRetractationPeriod=True)
order_id = order["orderId"]
assert client.get(f"/order/cart/{cart_id}")["readOnly"] is True
statuses = [client.get(f"/me/order/{order_id}/status")]

# A second checkout is refused: one order per cart.
try:
    client.post(f"/order/cart/{cart_id}/checkout", autoPayWithPreferredPaymentMethod=False, waiveRetractationPeriod=True)
    raise SystemExit("a second checkout was accepted")
except ovh.exceptions.APIError as e:
    second_checkout = type(e).__name__

requests.post(f"{origin}/_sim/orders/{order_id}/pay").raise_for_status()
wait("delivery", lambda: client.get(f"/me/order/{order_id}/status"), lambda s: s == "delivered")
statuses.append("delivered")

project_id = None
for detail_id in client.get(f"/me/order/{order_id}/details"):
    detail = client.get(f"/me/order/{order_id}/details/{detail_id}")
    if re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{19}", detail["domain"]):
        project_id = detail["domain"]
assert project_id, "no project id in the order details"


def project_or_none():
    try:
        return client.get(f"/cloud/project/{project_id}")
    except ovh.exceptions.ResourceNotFoundError:
        return None


project = wait("the project", project_or_none, lambda p: p is not None)

try:
    client.get("/order/cart/no-such-cart")
    raise SystemExit("an unknown cart was found")
except ovh.exceptions.ResourceNotFoundError as e:
    not_found = {"error": type(e).__name__, "queryId": e.query_id}

if mode == "ak":
    wrong = ovh.Client(endpoint="sim", application_key="sim-ak", application_secret="wrong", consumer_key="sim-ck")
else:
    wrong = ovh.Client(endpoint="sim", client_id="sim-client", client_secret="wrong")
try:
    wrong.get("/me")
    raise SystemExit("wrong credentials were accepted")
except Exception as e:  # BadParametersError (signature) or an oauthlib error (token endpoint)
    wrong_credentials = type(e).__name__

print(json.dumps({
    "cartId": cart_id,
    "orderId": order_id,
    "orderUrl": order["url"],
    "priceWithTax": preview["prices"]["withTax"]["text"],
    "statuses": statuses,
    "projectId": project_id,
    "projectStatus": project["status"],
    "secondCheckout": second_checkout,
    "notFound": not_found,
    "wrongCredentials": wrong_credentials,
}))
