"""Drives the whole Public Cloud order flow against the simulator with OVH's official Python SDK
(`ovh` on PyPI), then prints a JSON summary for tests/python_sdk.rs to compare with the Rust
client's run. Usage: sdk_order_flow.py BASE_URL ak|oauth2 [eu|us]

On the US API (simulator `--region us`) the flow is terraform-provider-ovh's US flow: subsidiary
`US`, plan code `project`, no order-detail `extension`, and the project id found in the order
details' `operations` (`resource.name`).
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
region = sys.argv[3] if len(sys.argv) > 3 else "eu"
subsidiary, plan_code = ("US", "project") if region == "us" else ("FR", "project.2018")
PROJECT_ID = re.compile(r"[0-9a-f]{12}4[0-9a-f]{19}")
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


assert client.get("/me")["ovhSubsidiary"] == subsidiary
cart = client.post("/order/cart", ovhSubsidiary=subsidiary, description="sdk-flow")
cart_id = cart["cartId"]
client.post(f"/order/cart/{cart_id}/assign")
assert client.get("/order/cart", description="sdk-flow") == [cart_id]
offers = client.get(f"/order/cart/{cart_id}/cloud")
assert [o["planCode"] for o in offers] == [plan_code], offers
item = client.post(f"/order/cart/{cart_id}/cloud", planCode=plan_code, duration="P1M", pricingMode="default", quantity=1)
required = client.get(f"/order/cart/{cart_id}/item/{item['itemId']}/requiredConfiguration")
assert {r["label"] for r in required} >= {"description", "voucher"}, required
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

# Terraform's way (ovh/resource_cloud_project.go): a detail whose domain is a project id, else
# (US) an operation of a detail whose resource.name is one.
project_id = None
detail_ids = client.get(f"/me/order/{order_id}/details")
for detail_id in detail_ids:
    detail = client.get(f"/me/order/{order_id}/details/{detail_id}")
    if PROJECT_ID.fullmatch(detail["domain"]):
        project_id = detail["domain"]
try:
    extension = client.get(f"/me/order/{order_id}/details/{detail_ids[0]}/extension")["order"]["plan"]["code"]
except ovh.exceptions.ResourceNotFoundError as e:
    extension = type(e).__name__
found_in = "details"
if region == "us":
    assert project_id is None, "US order details do not carry the project id"
    found_in = "operations"
    for detail_id in detail_ids:
        for operation_id in client.get(f"/me/order/{order_id}/details/{detail_id}/operations"):
            operation = client.get(f"/me/order/{order_id}/details/{detail_id}/operations/{operation_id}")
            if PROJECT_ID.fullmatch(operation["resource"]["name"]):
                project_id = operation["resource"]["name"]
else:
    try:
        client.get(f"/me/order/{order_id}/details/{detail_ids[0]}/operations")
        raise SystemExit("the EU API answered an order detail's operations")
    except ovh.exceptions.ResourceNotFoundError:
        pass
assert project_id, "no project id in the order"


def project_or_none():
    try:
        return client.get(f"/cloud/project/{project_id}")
    except ovh.exceptions.ResourceNotFoundError:
        return None


project = wait("the project", project_or_none, lambda p: p is not None)

# The project's OpenStack user, as terraform-provider-ovh's ovh_cloud_project_user calls it:
# the password only in the creation's answer, then creating -> ok, openrc, a new password, delete.
user = client.post(f"/cloud/project/{project_id}/user", description="sdk (ovh-publiccloud-operator:sdk)",
                   role="compute_operator")
user_path = f"/cloud/project/{project_id}/user/{user['id']}"
wait("the user", lambda: client.get(user_path), lambda u: u["status"] == "ok")
found = [u["id"] for u in client.get(f"/cloud/project/{project_id}/user")
         if u["description"].endswith("(ovh-publiccloud-operator:sdk)")]
openrc = client.get(f"{user_path}/openrc", region="GRA11", version="v3")["content"]
regenerated = client.post(f"{user_path}/regeneratePassword")
client.delete(user_path)
try:
    client.get(user_path)
    raise SystemExit("a deleted user was found")
except ovh.exceptions.ResourceNotFoundError:
    pass
user_summary = {"id": user["id"], "username": user["username"], "password": user["password"],
                "found": found, "openrcUsername": f'export OS_USERNAME="{user["username"]}"' in openrc,
                "regenerated": regenerated["password"]}

# Day two: spend and standing, a budget alert (sent with `emails`, changed by a PUT without
# `email`, deleted), a region activated, quotas, automatic quota upgrades off.
requests.post(f"{origin}/_sim/projects/{project_id}/spend", json={"current": "12.34", "forecast": "40.00"}).raise_for_status()
project_path = f"/cloud/project/{project_id}"
spend = [client.get(f"{project_path}/usage/current")["totalPrice"]["text"],
         client.get(f"{project_path}/usage/forecast")["totalPrice"]["text"]]
standing = client.get(f"{project_path}/serviceInfos")["status"]
alerting = client.post(f"{project_path}/alerting", name="budget (ovh-publiccloud-operator:sdk)", monthlyThreshold=100,
                       delay=3600, emails=["team@example.com"])
alerting_path = f"{project_path}/alerting/{alerting['id']}"
listed = client.get(f"{project_path}/alerting")
client.put(alerting_path, name=alerting["name"], monthlyThreshold=250, delay=3600, emails=["team@example.com"])
changed = client.get(alerting_path)
client.delete(alerting_path)
try:
    client.get(alerting_path)
    raise SystemExit("a deleted alerting was found")
except ovh.exceptions.ResourceNotFoundError as e:
    alerting_gone = type(e).__name__
regions_before = client.get(f"{project_path}/region")
available = [r["name"] for r in client.get(f"{project_path}/regionAvailable")]
client.post(f"{project_path}/region", region="SBG5")
client.put(project_path, manualQuota=True)
day_two = {"spend": spend, "standing": standing,
           "alerting": {"id": alerting["id"], "listed": listed, "threshold": changed["monthlyThreshold"],
                        "emails": changed["emails"], "gone": alerting_gone},
           "regions": {"before": regions_before, "available": available,
                       "after": client.get(f"{project_path}/region")},
           "quotaRegions": [q["region"] for q in client.get(f"{project_path}/quota")],
           "manualQuota": client.get(project_path)["manualQuota"]}

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
    "projectFoundIn": found_in,
    "extension": extension,
    "planCode": project["planCode"],
    "projectStatus": project["status"],
    "secondCheckout": second_checkout,
    "notFound": not_found,
    "wrongCredentials": wrong_credentials,
    "user": user_summary,
    "dayTwo": day_two,
}))
